"""Journey: a visitor adds a session to their calendar with the downloaded .ics file."""

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from agenda.models import Session

pytestmark = pytest.mark.django_db(transaction=True)


def download_ics(page, scope):
    """Open the "Add to calendar" disclosure in ``scope`` and download its .ics file."""
    menu = scope.locator("details.calendar-menu").first
    menu.locator("summary").click()
    link = menu.locator("a[download]")
    assert link.is_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def only_event(body):
    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def utc(value):
    return value.dt.astimezone(UTC)


def test_download_a_session_from_its_page(page, forum):
    session = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    page.goto("/en/events/zccf-2022/sessions/opening-remarks-day-1/")
    filename, body = download_ics(page, page.locator("main"))
    assert page.locator("details.calendar-menu a[download]").inner_text().startswith(
        "Download .ics")

    assert filename.endswith(".ics")
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    event = only_event(body)
    assert str(event["UID"]).startswith(str(session.uuid))
    assert str(event["SUMMARY"]) == session.title_en
    assert utc(event["DTSTART"]) == datetime(2022, 3, 10, 1, 0, tzinfo=UTC)
    assert utc(event["DTEND"]) == datetime(2022, 3, 10, 1, 10, tzinfo=UTC)
    # Never floating: either UTC or a TZID with its VTIMEZONE.
    start = event["DTSTART"].dt
    assert start.tzinfo is not None


def test_download_from_the_agenda_in_japanese(page, forum):
    session = Session.objects.get(event=forum, slug="parallel-session-1")
    page.goto("/ja/events/zccf-2022/agenda/")
    article = page.locator("article.session", has_text=session.title_ja)
    filename, body = download_ics(page, article)

    event = only_event(body)
    assert str(event["SUMMARY"]) == session.title_ja
    # Day 2, 07:10 EST on 10 March 2022.
    assert utc(event["DTSTART"]) == datetime(2022, 3, 10, 12, 10, tzinfo=UTC)
    assert utc(event["DTEND"]) == datetime(2022, 3, 10, 13, 0, tzinfo=UTC)
