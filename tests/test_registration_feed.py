"""The personal calendar feed: exactly the person's sessions, following every change."""

import icalendar
import pytest

from agenda.models import Session
from registration import services
from registration.models import Registration
from tests.registration_support import sign_up


def _feed(web, registration):
    response = web.get(f"/registration/{registration.token}/calendar.ics")
    assert response.status_code == 200
    return response, icalendar.Calendar.from_ical(response.content)


def _slugs(calendar):
    by_uid = {str(s.uuid): s.slug for s in Session.objects.all()}
    return sorted(by_uid[str(event["UID"])] for event in calendar.walk("VEVENT"))


def _non_parallel(event):
    return sorted(
        Session.objects.filter(event=event)
        .exclude(kind=Session.Kind.PARALLEL)
        .values_list("slug", flat=True)
    )


def test_feed_holds_exactly_the_persons_sessions(forum, web, capture):
    registration = sign_up(capture, forum)
    response, calendar = _feed(web, registration)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="zccf-2022-my-sessions.ics"'
    )
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert _slugs(calendar) == sorted(
        _non_parallel(forum) + ["parallel-session-1", "parallel-session-3"]
    )
    assert len(_non_parallel(forum)) == 11
    assert str(calendar["X-WR-CALNAME"]) == "Zero Carbon City International Forum: my sessions"
    assert "REFRESH-INTERVAL" in calendar


def test_feed_follows_changed_choices(forum, web, capture):
    registration = sign_up(capture, forum)
    with capture(execute=True):
        services.change_choices(
            registration,
            list(Session.objects.filter(slug__in=["parallel-session-2", "parallel-session-4"])),
        )
    _, calendar = _feed(web, registration)
    assert _slugs(calendar) == sorted(
        _non_parallel(forum) + ["parallel-session-2", "parallel-session-4"]
    )


def test_feed_leaves_out_a_session_still_waited_for(forum, web, capture):
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(capture, forum, email="first@example.org")
    second = sign_up(capture, forum, email="second@example.org")
    _, calendar = _feed(web, second)
    assert _slugs(calendar) == sorted(_non_parallel(forum) + ["parallel-session-3"])


def test_feed_shows_a_session_cancelled_by_the_organisers(forum, web, capture):
    registration = sign_up(capture, forum)
    plenary = Session.objects.get(event=forum, slug="closing-plenary")
    plenary.status = Session.Status.CANCELLED
    plenary.save()
    _, calendar = _feed(web, registration)
    [event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == str(plenary.uuid)]
    assert str(event["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("state", ["pending", "cancelled", "waitlisted"])
def test_feed_is_empty_without_an_event_seat(forum, web, capture, state):
    if state == "waitlisted":
        forum.capacity = 1
        forum.save()
        sign_up(capture, forum, email="first@example.org")
    registration = sign_up(capture, forum, confirm=state != "pending")
    if state == "cancelled":
        with capture(execute=True):
            services.cancel(registration)
    assert Registration.objects.get(pk=registration.pk).status == state
    _, calendar = _feed(web, registration)
    assert calendar.walk("VEVENT") == []


def test_feed_language_follows_the_registrant(forum, web, capture):
    registration = sign_up(capture, forum, language="ja")
    _, calendar = _feed(web, registration)
    assert str(calendar["X-WR-CALNAME"]).startswith("ゼロカーボンシティ国際フォーラム")


def test_unknown_feed_token_is_a_404(forum, web):
    assert web.get("/registration/" + "x" * 43 + "/calendar.ics").status_code == 404
    assert web.get("/registration/short/calendar.ics").status_code == 404
