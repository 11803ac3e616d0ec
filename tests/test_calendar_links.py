""""Add to calendar" and subscription links: UTC times, the same texts as the .ics files."""

import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext

from agenda.calendar_links import (
    day_calendar_url,
    event_calendar_url,
    google_subscribe_url,
    session_calendar_url,
    web_calendar_urls,
    webcal_url,
)
from agenda.models import Event, Session, SessionSpeaker
from tests.factories import make_day, make_event, make_session

OPENING_DETAILS = (
    "Opening remarks by YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan, "
    "and a representative from the United States.\n\n"
    "Speakers:\n- YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan (Speaker)\n"
    "- Representative of the United States\n\n"
    "Programme: http://localhost:8000/en/events/zccf-2022/sessions/opening-remarks-day-1/"
)


def split(url: str) -> tuple[str, dict[str, list[str]]]:
    """The URL without its query, and the query parsed (every value kept)."""
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return base, parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)


@pytest.fixture
def opening(forum):
    return forum.sessions.get(slug="opening-remarks-day-1")


def test_google_link_for_forum_day_1_opening(opening):
    assert split(web_calendar_urls(opening, "en")["google"]) == (
        "https://calendar.google.com/calendar/render",
        {
            "action": ["TEMPLATE"],
            "text": ["Opening remarks"],
            "dates": ["20220310T010000Z/20220310T011000Z"],
            "details": [OPENING_DETAILS],
        },
    )


@pytest.mark.parametrize(("service", "base"), [
    ("outlook", "https://outlook.live.com/calendar/0/action/compose"),
    ("office365", "https://outlook.office.com/calendar/0/action/compose"),
])
def test_outlook_links_for_forum_day_1_opening(opening, service, base):
    assert split(web_calendar_urls(opening, "en")[service]) == (
        base,
        {
            "path": ["/calendar/action/compose"],
            "rru": ["addevent"],
            "subject": ["Opening remarks"],
            "startdt": ["2022-03-10T01:00:00Z"],
            "enddt": ["2022-03-10T01:10:00Z"],
            "body": [OPENING_DETAILS],
        },
    )


def test_links_use_the_requested_language(opening):
    _base, google = split(web_calendar_urls(opening, "ja")["google"])
    _base, outlook = split(web_calendar_urls(opening, "vi")["outlook"])

    # Labels come from the ja catalogue (English until translated); the data is Japanese.
    with translation.override("ja"):
        speakers, role = gettext("Speakers:"), str(SessionSpeaker.Role.SPEAKER.label)
        page = gettext("Programme: %(url)s") % {
            "url": "http://localhost:8000/ja/events/zccf-2022/sessions/opening-remarks-day-1/"
        }
    assert google["text"] == ["開会挨拶"]
    assert google["details"] == [
        f"山口壯環境大臣および米国の代表による開会挨拶。\n\n"
        f"{speakers}\n- 山口壯 環境大臣（{role}）\n- 米国代表\n\n{page}"
    ]
    assert outlook["subject"] == ["Phát biểu khai mạc"]


def test_links_percent_encode_spaces_and_never_use_plus(opening):
    url = web_calendar_urls(opening, "en")["outlook"]

    assert "+" not in url
    assert "subject=Opening%20remarks" in url.split("&")


def test_forum_day_2_parallel_session_in_utc(forum):
    session = forum.sessions.get(slug="parallel-session-1")

    _base, google = split(web_calendar_urls(session, "en")["google"])
    _base, outlook = split(web_calendar_urls(session, "en")["office365"])

    assert google["dates"] == ["20220310T121000Z/20220310T130000Z"]
    assert (outlook["startdt"], outlook["enddt"]) == (
        ["2022-03-10T12:10:00Z"], ["2022-03-10T13:00:00Z"]
    )


@pytest.mark.parametrize(("zone", "local_start", "google_dates", "outlook_start"), [
    # After the US change to daylight time: 09:00 EDT is 13:00 UTC, not 14:00.
    ("America/New_York", datetime(2022, 3, 14, 9, 0), "20220314T130000Z/20220314T134500Z",
     "2022-03-14T13:00:00Z"),
    # Vietnam, UTC+7 all year: the morning session is the previous night in UTC.
    ("Asia/Ho_Chi_Minh", datetime(2024, 1, 12, 6, 30), "20240111T233000Z/20240112T001500Z",
     "2024-01-11T23:30:00Z"),
])
def test_links_convert_the_reference_zone_to_utc(db, zone, local_start, google_dates,
                                                 outlook_start):
    event = make_event(reference_timezone=zone, display_timezones=zone, venue="Hall 1")
    day = make_day(event, 1, local_start.date())
    session = make_session(day, local_start, 45, title="Morning session")

    _base, google = split(web_calendar_urls(session, "en")["google"])
    _base, outlook = split(web_calendar_urls(session, "en")["outlook"])

    assert google["dates"] == [google_dates]
    assert google["location"] == ["Hall 1"]
    assert outlook["startdt"] == [outlook_start]
    assert outlook["location"] == ["Hall 1"]


def test_livestream_is_the_location_and_cancelled_sessions_say_so(db):
    event = make_event(venue="Hall 1", livestream_url="https://live.example/forum")
    day = make_day(event, 1, date(2022, 3, 9))
    session = make_session(day, datetime(2022, 3, 9, 20, 0), title="Talk",
                           status=Session.Status.CANCELLED)

    _base, google = split(web_calendar_urls(session, "en")["google"])

    assert google["location"] == ["https://live.example/forum"]
    assert google["text"] == ["Cancelled: Talk"]


def test_long_descriptions_are_shortened_but_keep_the_page_link(db):
    event = make_event("long-text")
    day = make_day(event, 1, date(2022, 3, 9))
    session = make_session(day, datetime(2022, 3, 9, 20, 0), slug="long", title="Long",
                           description="word " * 1000)

    _base, google = split(web_calendar_urls(session, "en")["google"])

    assert google["details"] == [
        ("word " * 120).strip()[:599].rstrip() + "…\n\n"
        "Programme: http://localhost:8000/en/events/long-text/sessions/long/"
    ]
    assert len(web_calendar_urls(session, "en")["google"]) < 2000


@pytest.mark.parametrize(("url", "expected"), [
    ("https://forum.example/events/zccf-2022/calendar.ics?lang=ja",
     "webcal://forum.example/events/zccf-2022/calendar.ics?lang=ja"),
    ("http://localhost:8000/events/x/calendar.ics", "webcal://localhost:8000/events/x/calendar.ics"),
    ("HTTPS://forum.example/a.ics", "webcal://forum.example/a.ics"),
    ("webcal://forum.example/a.ics", "webcal://forum.example/a.ics"),
])
def test_webcal_url(url, expected):
    assert webcal_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://forum.example/a.ics", "/events/x/calendar.ics", ""])
def test_webcal_url_refuses_what_is_not_http(url):
    with pytest.raises(ValueError):
        webcal_url(url)


def test_google_subscribe_url():
    url = google_subscribe_url("https://forum.example/events/zccf-2022/calendar.ics?lang=ja")

    assert url == (
        "https://calendar.google.com/calendar/render?cid="
        "webcal%3A%2F%2Fforum.example%2Fevents%2Fzccf-2022%2Fcalendar.ics%3Flang%3Dja"
    )
    assert split(url)[1] == {
        "cid": ["webcal://forum.example/events/zccf-2022/calendar.ics?lang=ja"]
    }


def test_feed_urls_are_absolute_and_carry_the_language(forum, opening):
    day = forum.days.get(number=2)

    assert event_calendar_url(forum, "ja") == (
        "http://localhost:8000/events/zccf-2022/calendar.ics?lang=ja"
    )
    assert day_calendar_url(day, "vi") == (
        "http://localhost:8000/events/zccf-2022/days/2.ics?lang=vi"
    )
    assert session_calendar_url(opening, "garbage") == (
        "http://localhost:8000/events/zccf-2022/sessions/opening-remarks-day-1.ics?lang=en"
    )


def test_feed_url_serves_the_calendar(client, forum):
    path = event_calendar_url(forum, "ja").removeprefix("http://localhost:8000")

    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Language"] == "ja"


# The pages' short links, which redirect to the long ones ----------------------------

ADD = "/{lang}/events/zccf-2022/sessions/{session}/add/{service}"
NEVER_CACHED = "max-age=0, no-cache, no-store, must-revalidate, private"


def calendar_menu_links(html: str, session_slug: str) -> list[str]:
    """The hrefs of the "Add to calendar" menu of one session on a page."""
    menus = re.findall(r'<details class="calendar-menu">.*?</details>', html, flags=re.S)
    (menu,) = [menu for menu in menus if f"/sessions/{session_slug}" in menu]
    return re.findall(r'<a href="([^"]+)"', menu)


@pytest.mark.parametrize("service", ["google", "outlook", "office365"])
def test_each_short_link_redirects_to_the_service_with_the_same_texts(client, opening, service):
    response = client.get(ADD.format(lang="en", session=opening.slug, service=service))

    assert response.status_code == 302
    assert response["Location"] == web_calendar_urls(opening, "en")[service]
    assert response["Cache-Control"] == NEVER_CACHED
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Page-Cache" not in response


def test_the_google_redirect_is_the_exact_long_link(client, opening):
    response = client.get(ADD.format(lang="en", session=opening.slug, service="google"))

    assert split(response["Location"]) == (
        "https://calendar.google.com/calendar/render",
        {
            "action": ["TEMPLATE"],
            "text": ["Opening remarks"],
            "dates": ["20220310T010000Z/20220310T011000Z"],
            "details": [OPENING_DETAILS],
        },
    )


@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_the_redirect_speaks_the_language_of_its_prefix(client, opening, lang):
    response = client.get(ADD.format(lang=lang, session=opening.slug, service="outlook"))

    assert response.status_code == 302
    assert response["Location"] == web_calendar_urls(opening, lang)["outlook"]
    assert split(response["Location"])[1]["subject"] == [getattr(opening, f"title_{lang}")]


def test_the_redirect_follows_an_edit_at_once(client, opening):
    url = ADD.format(lang="en", session=opening.slug, service="google")
    client.get(url)
    opening.title_en = "Welcome"
    opening.save()

    assert split(client.get(url)["Location"])[1]["text"] == ["Welcome"]


@pytest.mark.parametrize("path", [
    ADD.format(lang="en", session="opening-remarks-day-1", service="yahoo"),
    ADD.format(lang="en", session="opening-remarks-day-1", service="Google"),
    ADD.format(lang="en", session="no-such-session", service="google"),
    "/en/events/no-such-event/sessions/opening-remarks-day-1/add/google",
    # A session of the forum, asked for under the Điện Biên workshop.
    "/en/events/dien-bien-2024/sessions/opening-remarks-day-1/add/google",
])
def test_unknown_services_sessions_and_events_are_404(client, seed_events, path):
    assert client.get(path).status_code == 404


def test_the_redirect_is_read_never_posted_to(client, opening):
    response = client.post(ADD.format(lang="en", session=opening.slug, service="google"))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_draft_events_redirect_is_404_for_the_public_and_works_for_staff(client, forum,
                                                                          opening):
    Event.objects.filter(pk=forum.pk).update(published=False)
    url = ADD.format(lang="en", session=opening.slug, service="office365")
    assert client.get(url).status_code == 404

    staff = get_user_model().objects.create_user("aiko", "aiko@example.org", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_event"))
    client.force_login(staff)
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == web_calendar_urls(opening, "en")["office365"]
    assert response["Cache-Control"] == NEVER_CACHED


@pytest.mark.parametrize("page", [
    "/{lang}/events/zccf-2022/agenda/",
    "/{lang}/events/zccf-2022/sessions/opening-remarks-day-1/",
])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pages_link_the_ics_file_and_the_short_links(client, opening, page, lang):
    html = client.get(page.format(lang=lang)).content.decode()

    assert calendar_menu_links(html, opening.slug) == [
        f"/events/zccf-2022/sessions/opening-remarks-day-1.ics?lang={lang}",
        f"/{lang}/events/zccf-2022/sessions/opening-remarks-day-1/add/google",
        f"/{lang}/events/zccf-2022/sessions/opening-remarks-day-1/add/outlook",
        f"/{lang}/events/zccf-2022/sessions/opening-remarks-day-1/add/office365",
    ]
    # Opened in a new tab, which one note on the page says to assistive technology.
    assert html.count('aria-describedby="new-tab-note"') == 3 * html.count("calendar-menu")
    assert html.count('id="new-tab-note"') == 1
    assert "calendar.google.com/calendar/render?action" not in html
    assert "outlook.live.com" not in html and "outlook.office.com" not in html


def test_following_the_agendas_links_reaches_each_service(client, forum):
    html = client.get("/en/events/zccf-2022/agenda/").content.decode()
    session = forum.sessions.get(slug="parallel-session-3")
    download, *services = calendar_menu_links(html, session.slug)

    assert client.get(download).status_code == 200
    assert [client.get(link)["Location"] for link in services] == [
        web_calendar_urls(session, "en")[service] for service in ("google", "outlook",
                                                                  "office365")
    ]
