"""Seat counting (registration/seats.py): one rule for services, form, dashboard and admin."""

import pytest

from registration import seats
from registration.models import Registration, SessionChoice
from tests.registration_support import sign_up


@pytest.mark.parametrize(("capacity", "taken", "free", "has_seat"), [
    (None, 0, None, True),
    (None, 500, None, True),
    (3, 0, 3, True),
    (3, 2, 1, True),
    (3, 3, 0, False),
    (3, 5, 0, False),  # an organiser seated two over capacity: none free, not -2
    (0, 0, 0, False),
])
def test_free_seats_and_whether_one_is_left(capacity, taken, free, has_seat):
    assert seats.free_seats(capacity, taken) == free
    assert seats.has_free_seat(capacity, taken) is has_seat


def test_counts_are_confirmed_registrations_and_choices(forum, capture):
    forum.capacity = 1
    forum.save()
    sign_up(capture, forum, email="first@example.org")
    sign_up(capture, forum, email="second@example.org")
    assert list(Registration.objects.order_by("pk").values_list("status", flat=True)) == [
        Registration.Status.CONFIRMED, Registration.Status.WAITLISTED,
    ]
    assert seats.taken_at_event(forum) == 1
    session = forum.sessions.get(slug="parallel-session-1")
    assert seats.taken_in_session(session) == 1
    other = forum.sessions.get(slug="parallel-session-2")
    assert seats.taken_by_session([session.pk, other.pk]) == {session.pk: 1, other.pk: 0}
    counted = seats.with_seat_counts(forum.sessions.filter(pk=session.pk)).get()
    assert (counted.taken, counted.waiting) == (1, 0)
    # The waiting person's choice does not queue for the session yet.
    assert SessionChoice.objects.filter(
        session=session, status=SessionChoice.Status.INACTIVE
    ).count() == 1
