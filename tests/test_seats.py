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


def test_free_seats_left_at_the_event_and_in_a_session(forum, capture):
    forum.capacity = 3
    forum.save()
    session = forum.sessions.get(slug="parallel-session-1")
    session.capacity = 1
    session.save()
    sign_up(capture, forum, email="first@example.org")
    assert seats.free_at_event(forum) == 2
    assert seats.free_in_session(session) == 0
    other = forum.sessions.get(slug="parallel-session-2")
    other.capacity = 2
    other.save()
    unlimited = forum.sessions.get(slug="parallel-session-3")
    assert seats.full_sessions([session, other, unlimited]) == {session.pk}


def test_nothing_is_counted_without_a_limit(forum, capture, django_assert_num_queries):
    # Counting confirmed seats grows with every registration and cannot make
    # an unlimited event or session full: sign-up and confirmation skip it.
    sign_up(capture, forum, email="first@example.org")
    sessions = list(forum.sessions.filter(kind="parallel"))
    assert forum.capacity is None
    assert {session.capacity for session in sessions} == {None}
    with django_assert_num_queries(0):
        assert seats.free_at_event(forum) is None
        assert seats.free_in_session(sessions[0]) is None
        assert seats.full_sessions(sessions) == set()
