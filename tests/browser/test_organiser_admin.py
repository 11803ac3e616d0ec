"""Journey: an organiser moves a session in the admin; the agenda and the .ics follow."""

from datetime import UTC, datetime

import icalendar
import pytest
from django.contrib.auth import get_user_model

from agenda.models import Session

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple 42"


def test_organiser_moves_a_session(page, forum):
    get_user_model().objects.create_superuser("organiser", "organiser@example.org", PASSWORD)
    session = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    sequence = session.sequence

    page.goto("/admin/")
    assert "/admin/login/" in page.url
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.goto(f"/admin/agenda/session/{session.pk}/change/")
    # Times are typed in the event's own zone (New York): 20:00 becomes 19:30.
    assert page.locator("#id_start_0").input_value() == "2022-03-09"
    assert page.locator("#id_start_1").input_value().startswith("20:00")
    page.locator("#id_start_1").fill("19:30:00")
    page.locator("#id_end_1").fill("19:40:00")
    page.locator("input[name='_save']").click()
    page.wait_for_url("**/admin/agenda/session/")
    assert page.locator(".messagelist .success").count() == 1

    session.refresh_from_db()
    assert session.start == datetime(2022, 3, 10, 0, 30, tzinfo=UTC)
    assert session.end == datetime(2022, 3, 10, 0, 40, tzinfo=UTC)
    assert session.sequence > sequence

    # The public agenda shows the new time in both zones.
    page.goto("/en/events/zccf-2022/agenda/")
    row = page.locator("table.programme tbody tr", has_text=session.title_en).first
    assert row.locator("td.programme__time time").all_inner_texts() == [
        "19:30", "19:40", "09:30", "09:40",
    ]

    # And so does the session's calendar file.
    response = page.request.get("/events/zccf-2022/sessions/opening-remarks-day-1.ics?lang=en")
    assert response.ok
    calendar = icalendar.Calendar.from_ical(response.body())
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2022, 3, 10, 0, 30, tzinfo=UTC)
    assert event["DTEND"].dt.astimezone(UTC) == datetime(2022, 3, 10, 0, 40, tzinfo=UTC)
    assert int(event["SEQUENCE"]) == session.sequence
