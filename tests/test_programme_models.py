"""The programme's invariants: database constraints and calendar SEQUENCE."""

from datetime import date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from agenda.models import Day, Session
from tests.factories import make_day, make_event, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return make_day(make_event("constraints"), 1, date(2022, 3, 9))


def test_database_refuses_a_session_that_ends_before_it_starts(day):
    session = make_session(day, datetime(2022, 3, 9, 20, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(end=session.start - timedelta(minutes=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(end=session.start)


def test_database_refuses_two_sessions_with_one_slug_in_an_event(day):
    make_session(day, datetime(2022, 3, 9, 20, 0), slug="opening")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(day, datetime(2022, 3, 9, 21, 0), slug="opening")
    other_day = make_day(make_event("other"), 1, date(2022, 3, 9))
    assert make_session(other_day, datetime(2022, 3, 9, 20, 0), slug="opening").slug == "opening"


def test_database_refuses_a_repeated_uuid(day):
    first = make_session(day, datetime(2022, 3, 9, 20, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(day, datetime(2022, 3, 9, 21, 0), uuid=first.uuid)


def test_database_refuses_repeated_day_numbers_and_day_zero(day):
    with pytest.raises(IntegrityError), transaction.atomic():
        Day.objects.create(event=day.event, number=1, date=date(2022, 3, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Day.objects.create(event=day.event, number=0, date=date(2022, 3, 11))


def test_sequence_rises_only_when_time_or_status_changes(day):
    session = make_session(day, datetime(2022, 3, 9, 20, 0))
    uuid = session.uuid
    assert session.sequence == 0
    first_modified = session.updated_at

    session.title = "A new title"
    session.save()
    session.refresh_from_db()
    assert session.sequence == 0

    session.start += timedelta(minutes=5)
    session.end += timedelta(minutes=5)
    session.save()
    session.refresh_from_db()
    assert session.sequence == 1
    assert session.updated_at > first_modified

    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])
    session.refresh_from_db()
    assert (session.sequence, session.status) == (2, "cancelled")

    session.save()
    session.refresh_from_db()
    assert (session.sequence, session.uuid) == (2, uuid)


def test_sequence_is_read_from_the_database_not_from_a_stale_copy(day):
    session = make_session(day, datetime(2022, 3, 9, 20, 0))
    stale = Session.objects.get(pk=session.pk)
    session.end += timedelta(minutes=5)
    session.save()
    stale.start -= timedelta(minutes=5)
    stale.save()
    stale.refresh_from_db()
    assert stale.sequence == 2


def test_editing_a_speaker_moves_last_modified_of_their_sessions_but_not_sequence(client, day):
    from agenda.models import Speaker

    session = make_session(day, datetime(2022, 3, 9, 20, 0), slug="opening")
    other = make_session(day, datetime(2022, 3, 9, 21, 0), slug="other")
    speaker = Speaker.objects.create(slug="speaker", name="First Name")
    session.session_speakers.create(speaker=speaker)
    session.refresh_from_db()
    other.refresh_from_db()
    before, other_before = session.updated_at, other.updated_at
    etag_before = client.get(f"/events/{day.event.slug}/calendar.ics")["ETag"]

    speaker.name = "Corrected Name"
    speaker.save()
    session.refresh_from_db()
    other.refresh_from_db()
    assert session.updated_at > before
    assert (session.sequence, other.updated_at) == (0, other_before)
    assert client.get(f"/events/{day.event.slug}/calendar.ics")["ETag"] != etag_before

    touched = session.updated_at
    session.session_speakers.get().delete()
    session.refresh_from_db()
    assert session.updated_at > touched
