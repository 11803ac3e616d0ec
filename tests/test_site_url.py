"""Links that leave the page: on SITE_URL, or without it on the address the site was served on."""

import icalendar
import pytest

from forum_site.site_url import DEVELOPMENT_URL, site_url

LAPTOP = "127.0.0.1:8000"


@pytest.fixture
def no_site_url(settings):
    settings.SITE_URL = ""


def test_feed_links_on_a_page_use_the_address_it_was_served_on(forum, client, no_site_url):
    html = client.get("/en/events/zccf-2022/agenda/", HTTP_HOST=LAPTOP).content.decode()
    assert 'href="webcal://127.0.0.1:8000/events/zccf-2022/calendar.ics?lang=en"' in html
    assert 'href="http://127.0.0.1:8000/events/zccf-2022/calendar.ics?lang=en" download' in html
    assert "localhost" not in html


def test_feed_links_on_a_page_use_site_url_when_it_is_set(forum, client, settings):
    settings.SITE_URL = "https://forum.example.org"
    html = client.get("/en/events/zccf-2022/agenda/", HTTP_HOST=LAPTOP).content.decode()
    assert 'href="webcal://forum.example.org/events/zccf-2022/calendar.ics?lang=en"' in html
    assert "webcal://127.0.0.1" not in html


def test_calendar_file_and_schedule_json_link_to_the_address_they_came_from(
    forum, client, no_site_url
):
    ics = client.get("/events/zccf-2022/sessions/opening-remarks-day-1.ics?lang=en",
                     HTTP_HOST=LAPTOP)
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["URL"]) == (
        "http://127.0.0.1:8000/en/events/zccf-2022/sessions/opening-remarks-day-1/"
    )
    schedule = client.get("/events/zccf-2022/schedule.json", HTTP_HOST=LAPTOP).json()
    assert schedule["schedule"]["base_url"] == "http://127.0.0.1:8000/"
    assert schedule["schedule"]["conference"]["url"] == (
        "http://127.0.0.1:8000/en/events/zccf-2022/"
    )


def test_outside_a_request_the_address_make_run_serves(no_site_url):
    assert DEVELOPMENT_URL == "http://127.0.0.1:8000"
    assert site_url() == DEVELOPMENT_URL

