"""Concurrent confirmations never overbook (PostgreSQL: real row locks, real connections)."""

import threading
from datetime import datetime

import pytest
from django.db import connection, connections

from agenda.models import Session
from registration import services, tokens
from registration.models import Registration, SessionChoice
from tests.factories import make_day, make_event, make_session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PEOPLE = 50
SEATS = 10


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (set DATABASE_URL)")


def _pending_registrations(event, sessions):
    registrations = []
    for number in range(PEOPLE):
        registrations.append(
            services.register(
                event,
                services.Details(
                    full_name=f"参加者 {number}",
                    email=f"person{number}@example.org",
                    sector="other",
                    choices=sessions,
                ),
            )
        )
    return registrations


def _confirm_all_at_once(registrations):
    """Confirm every registration from its own thread and connection, all released together."""
    barrier = threading.Barrier(len(registrations))
    errors = []

    def confirm(registration):
        try:
            # Connect first, so that the barrier releases queries, not handshakes.
            connection.ensure_connection()
            barrier.wait(timeout=30)
            services.confirm(tokens.sign_confirmation(registration.pk))
        except Exception as error:  # collected: the test asserts there are none
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(r,)) for r in registrations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_fifty_confirmations_into_a_session_with_ten_seats(mailoutbox):
    event = make_event("rush")
    day = make_day(event, 1)
    session = make_session(
        day, datetime(2022, 3, 9, 10, 0), kind=Session.Kind.PARALLEL, slug="popular",
        capacity=SEATS,
    )
    registrations = _pending_registrations(event, [session])

    errors = _confirm_all_at_once(registrations)

    assert errors == []
    assert Registration.objects.filter(status="confirmed").count() == PEOPLE
    choices = SessionChoice.objects.filter(session=session)
    assert choices.filter(status="confirmed").count() == SEATS
    assert choices.filter(status="waitlisted").count() == PEOPLE - SEATS
    # Everyone was told where they stand: 50 confirmation requests, 50 outcomes.
    assert len(mailoutbox) == 2 * PEOPLE


def test_fifty_confirmations_into_an_event_with_ten_seats(mailoutbox):
    event = make_event("rush-event", capacity=SEATS)
    registrations = _pending_registrations(event, [])

    errors = _confirm_all_at_once(registrations)

    assert errors == []
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count("confirmed") == SEATS
    assert statuses.count("waitlisted") == PEOPLE - SEATS
    # The ten seats went to the ten who asked first.
    first = Registration.objects.order_by("seat_requested_at", "pk")[:SEATS]
    assert {r.status for r in first} == {"confirmed"}


def test_cancellations_racing_confirmations_keep_the_count(mailoutbox):
    event = make_event("rush-swap", capacity=SEATS)
    registrations = _pending_registrations(event, [])
    for registration in registrations[:SEATS]:
        services.confirm(tokens.sign_confirmation(registration.pk))
    barrier = threading.Barrier(PEOPLE)
    errors = []

    def act(index, registration):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            if index < SEATS:
                services.cancel(registration)
            else:
                services.confirm(tokens.sign_confirmation(registration.pk))
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=pair) for pair in enumerate(registrations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count("cancelled") == SEATS
    assert statuses.count("confirmed") == SEATS
    assert statuses.count("waitlisted") == PEOPLE - 2 * SEATS
