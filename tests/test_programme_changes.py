"""Recording programme changes: moves, cancellations and restorations, by whom, read-only."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from agenda import services
from agenda.models import Session, SessionChange
from tests.factories import make_day, make_event, make_session
from tests.test_admin import session_form

pytestmark = pytest.mark.django_db

NOW = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def organiser(db):
    """A staff member allowed to edit sessions and to see changes, not a superuser."""
    user = get_user_model().objects.create_user(
        "planner", "planner@example.org", "pw-Forum-2022", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="agenda",
        codename__in=["view_session", "change_session", "add_session", "view_sessionchange",
                      "add_sessionchange", "change_sessionchange", "delete_sessionchange"],
    ))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def day():
    return make_day(make_event("changes-event"), 1, date(2022, 3, 9))


@pytest.fixture
def session(day):
    return make_session(day, datetime(2022, 3, 9, 20, 0), minutes=10, slug="opening",
                        title="Opening remarks")


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def post_session(client, session, start, end, **fields):
    data = session_form(session.day, start, end, slug=session.slug, title=fields.pop(
        "title", session.title))
    data.update(fields)
    return client.post(reverse("admin:agenda_session_change", args=[session.pk]), data)


def as_rows(changes):
    return [
        (c.session.slug, c.kind, c.old_start, c.old_end, c.new_start, c.new_end, c.old_status,
         c.new_status)
        for c in changes
    ]


def test_moving_a_session_in_the_admin_records_old_and_new_times_and_who(
    organiser_client, organiser, session, fixed_now
):
    response = post_session(organiser_client, session, datetime(2022, 3, 9, 20, 30),
                            datetime(2022, 3, 9, 20, 45))
    assert response.status_code == 302
    [change] = SessionChange.objects.all()
    assert as_rows([change]) == [(
        "opening", "rescheduled",
        datetime(2022, 3, 10, 1, 0, tzinfo=UTC), datetime(2022, 3, 10, 1, 10, tzinfo=UTC),
        datetime(2022, 3, 10, 1, 30, tzinfo=UTC), datetime(2022, 3, 10, 1, 45, tzinfo=UTC),
        "scheduled", "scheduled",
    )]
    assert change.changed_by == organiser
    assert change.changed_at == NOW
    assert change.moved is True
    session.refresh_from_db()
    assert session.sequence == 1


def test_cancelling_and_restoring_in_the_admin_are_two_records(
    organiser_client, organiser, session
):
    start, end = datetime(2022, 3, 9, 20, 0), datetime(2022, 3, 9, 20, 10)
    cancelled = post_session(organiser_client, session, start, end, status="cancelled")
    assert cancelled.status_code == 302
    assert post_session(organiser_client, session, start, end).status_code == 302
    old = (datetime(2022, 3, 10, 1, 0, tzinfo=UTC), datetime(2022, 3, 10, 1, 10, tzinfo=UTC))
    # Newest first.
    assert as_rows(SessionChange.objects.all()) == [
        ("opening", "restored", *old, *old, "cancelled", "scheduled"),
        ("opening", "cancelled", *old, *old, "scheduled", "cancelled"),
    ]
    assert [c.changed_by for c in SessionChange.objects.all()] == [organiser, organiser]
    assert [c.moved for c in SessionChange.objects.all()] == [False, False]


def test_a_cancellation_with_a_move_is_a_cancellation_with_both_times(organiser_client, session):
    post_session(organiser_client, session, datetime(2022, 3, 9, 21, 0),
                 datetime(2022, 3, 9, 21, 10), status="cancelled")
    [change] = SessionChange.objects.all()
    assert (change.kind, change.moved, change.new_start) == (
        "cancelled", True, datetime(2022, 3, 10, 2, 0, tzinfo=UTC)
    )


def test_several_edits_stay_several_records_chained(organiser_client, session):
    post_session(organiser_client, session, datetime(2022, 3, 9, 20, 30),
                 datetime(2022, 3, 9, 20, 40))
    post_session(organiser_client, session, datetime(2022, 3, 9, 21, 0),
                 datetime(2022, 3, 9, 21, 10))
    changes = list(SessionChange.objects.order_by("changed_at", "pk"))
    assert [(c.old_start, c.new_start) for c in changes] == [
        (datetime(2022, 3, 10, 1, 0, tzinfo=UTC), datetime(2022, 3, 10, 1, 30, tzinfo=UTC)),
        (datetime(2022, 3, 10, 1, 30, tzinfo=UTC), datetime(2022, 3, 10, 2, 0, tzinfo=UTC)),
    ]


def test_edits_that_keep_time_and_status_record_nothing(organiser_client, session):
    response = post_session(organiser_client, session, datetime(2022, 3, 9, 20, 0),
                            datetime(2022, 3, 9, 20, 10), title="Opening words",
                            capacity="40", track_en="Main hall")
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.sequence) == ("Opening words", 0)
    assert SessionChange.objects.count() == 0


def test_a_new_session_is_not_a_change(organiser_client, day):
    data = session_form(day, datetime(2022, 3, 9, 21, 0), datetime(2022, 3, 9, 21, 30),
                        slug="brand-new")
    response = organiser_client.post(reverse("admin:agenda_session_add"), data)
    assert response.status_code == 302
    assert Session.objects.filter(slug="brand-new").count() == 1
    assert SessionChange.objects.count() == 0


def test_a_refused_edit_records_nothing(organiser_client, session):
    response = post_session(organiser_client, session, datetime(2022, 3, 9, 21, 0),
                            datetime(2022, 3, 9, 20, 0))
    assert response.status_code == 200
    assert SessionChange.objects.count() == 0
    session.refresh_from_db()
    assert session.start == datetime(2022, 3, 10, 1, 0, tzinfo=UTC)


def test_code_records_through_the_same_service_without_a_user(session, fixed_now):
    assert services.save_session(session) is None  # nothing changed
    session.status = Session.Status.CANCELLED
    change = services.save_session(session)
    assert (change.kind, change.changed_by, change.changed_at) == ("cancelled", None, NOW)
    assert SessionChange.objects.count() == 1
    new = Session(event=session.event, day=session.day, slug="fresh", kind="plenary",
                  title="Fresh", start=session.end, end=session.end.replace(minute=30))
    assert services.save_session(new) is None
    assert SessionChange.objects.count() == 1


def test_deleting_the_organiser_keeps_the_record(organiser_client, organiser, session):
    post_session(organiser_client, session, datetime(2022, 3, 9, 20, 30),
                 datetime(2022, 3, 9, 20, 40))
    organiser.delete()
    [change] = SessionChange.objects.all()
    assert (change.kind, change.changed_by) == ("rescheduled", None)


def test_changes_are_listed_read_only_and_filtered_by_event(organiser_client, session):
    other = make_session(make_day(make_event("other-event"), 1, date(2022, 3, 9)),
                         datetime(2022, 3, 9, 9, 0), slug="elsewhere")
    services.save_session(_moved(session, 30))
    services.save_session(_moved(other, 15))
    url = reverse("admin:agenda_sessionchange_changelist")
    everything = organiser_client.get(url)
    assert everything.status_code == 200
    assert [c.session.slug for c in everything.context["cl"].result_list] == [
        "elsewhere", "opening"
    ]
    only = organiser_client.get(url, {"session__event__id__exact": session.event.pk})
    assert [c.session.slug for c in only.context["cl"].result_list] == ["opening"]
    of_session = organiser_client.get(url, {"session__id__exact": other.pk})
    assert [c.session.slug for c in of_session.context["cl"].result_list] == ["elsewhere"]
    filters = [str(spec.title) for spec in everything.context["cl"].filter_specs]
    assert filters == ["event", "kind of change"]
    found = organiser_client.get(url, {"q": "Opening"})
    assert [c.session.slug for c in found.context["cl"].result_list] == ["opening"]


def test_nobody_can_add_edit_or_delete_a_change_record(client, organiser, session):
    change = services.save_session(_moved(session, 30))
    superuser = get_user_model().objects.create_superuser("root", "r@example.org", "pw-R-2022")
    for user in (organiser, superuser):
        user_client = _logged_in(client, user)
        change_url = reverse("admin:agenda_sessionchange_change", args=[change.pk])
        page = user_client.get(change_url)
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert 'name="_save"' not in page.content.decode()
        forged = user_client.post(change_url, {"kind": "cancelled", "new_status": "cancelled"})
        assert forged.status_code == 403
        assert user_client.get(reverse("admin:agenda_sessionchange_add")).status_code == 403
        delete_url = reverse("admin:agenda_sessionchange_delete", args=[change.pk])
        assert user_client.post(delete_url, {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert (change.kind, change.new_status) == ("rescheduled", "scheduled")
    assert SessionChange.objects.count() == 1


def test_the_session_form_shows_its_changes_and_links_to_them(organiser_client, session):
    services.save_session(_moved(session, 30))
    response = organiser_client.get(reverse("admin:agenda_session_change", args=[session.pk]))
    html = response.content.decode()
    assert "Rescheduled: 2022-03-09 20:00–20:10 EST → 2022-03-09 20:30–20:40 EST" in html
    link = reverse("admin:agenda_sessionchange_changelist") + f"?session__id__exact={session.pk}"
    assert f'href="{link}"' in html


def _moved(session, minutes):
    session.refresh_from_db()
    session.start = session.start + timedelta(minutes=minutes)
    session.end = session.end + timedelta(minutes=minutes)
    return session


def _logged_in(client, user):
    client.logout()
    client.force_login(user)
    return client


def test_the_list_shows_times_in_the_events_zone(organiser_client, session):
    services.save_session(_moved(session, 30))
    response = organiser_client.get(reverse("admin:agenda_sessionchange_changelist"))
    [change] = response.context["cl"].result_list
    admin_of_changes = response.context["cl"].model_admin
    assert (admin_of_changes.before(change), admin_of_changes.after(change)) == (
        "2022-03-09 20:00–20:10 EST", "2022-03-09 20:30–20:40 EST"
    )
    page = organiser_client.get(reverse("admin:agenda_sessionchange_change", args=[change.pk]))
    html = page.content.decode()
    assert ("2022-03-09 20:00–20:10 EST" in html, "2022-03-09 20:30–20:40 EST" in html) == (
        True, True
    )
