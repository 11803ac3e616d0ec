"""Seats: event and session capacity, waiting lists served first come first served."""

import pytest
from django.core import mail

from agenda.models import Session
from registration import services, tokens
from registration.models import Registration, SessionChoice
from tests.registration_support import choice_data, outbox_to, sign_up


def _status(email):
    return Registration.objects.get(email=email).status


def _choice(email, slug):
    return SessionChoice.objects.get(registration__email=email, session__slug=slug).status


def _session(event, slug):
    return Session.objects.get(event=event, slug=slug)


def test_unlimited_event_and_sessions_confirm_everyone(forum, capture):
    for number in range(5):
        sign_up(capture, forum, email=f"p{number}@example.org")
    assert set(Registration.objects.values_list("status", flat=True)) == {"confirmed"}
    assert set(SessionChoice.objects.values_list("status", flat=True)) == {"confirmed"}


def test_event_capacity_waitlists_and_cancellation_promotes_fifo(forum, capture):
    forum.capacity = 1
    forum.save()
    sign_up(capture, forum, email="a@example.org")
    # c registers before b, but b confirms first: b is ahead in the queue.
    c = sign_up(capture, forum, email="c@example.org", confirm=False)
    sign_up(capture, forum, email="b@example.org")
    with capture(execute=True):
        services.confirm(tokens.sign_confirmation(c.pk))
    assert [_status(e) for e in ("a@example.org", "b@example.org", "c@example.org")] == [
        "confirmed", "waitlisted", "waitlisted",
    ]
    # Waiting for the event seat: their choices do not compete yet.
    assert _choice("b@example.org", "parallel-session-1") == "inactive"
    mail.outbox.clear()

    with capture(execute=True):
        services.cancel(Registration.objects.get(email="a@example.org"))
    assert [_status(e) for e in ("a@example.org", "b@example.org", "c@example.org")] == [
        "cancelled", "confirmed", "waitlisted",
    ]
    assert _choice("b@example.org", "parallel-session-1") == "confirmed"
    assert _choice("b@example.org", "parallel-session-3") == "confirmed"
    [promoted] = outbox_to("b@example.org")
    assert promoted.subject == "A seat is now yours: Zero Carbon City International Forum"
    assert "Good news: a seat freed up and is now yours." in promoted.body
    assert "Your place at Zero Carbon City International Forum is confirmed." in promoted.body
    assert [name for name, _content, _type in promoted.attachments] == [
        "zccf-2022-my-sessions.ics"
    ]
    assert outbox_to("c@example.org") == []
    assert [m.subject for m in outbox_to("a@example.org")] == [
        "Your registration is cancelled: Zero Carbon City International Forum"
    ]


def test_waiting_positions(forum, capture):
    forum.capacity = 1
    forum.save()
    for name in "abcd":
        sign_up(capture, forum, email=f"{name}@example.org")
    from registration.summary import event_waiting_position

    positions = [
        event_waiting_position(Registration.objects.get(email=f"{name}@example.org"))
        for name in "abcd"
    ]
    assert positions == [None, 1, 2, 3]
    assert "number 3" in outbox_to("d@example.org")[-1].body


def test_session_capacity_waitlists_the_choice_not_the_event_seat(forum, capture):
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(capture, forum, email="a@example.org")
    sign_up(capture, forum, email="b@example.org")
    assert _status("b@example.org") == "confirmed"
    assert _choice("a@example.org", "parallel-session-1") == "confirmed"
    assert _choice("b@example.org", "parallel-session-1") == "waitlisted"
    assert _choice("b@example.org", "parallel-session-3") == "confirmed"
    outcome = outbox_to("b@example.org")[-1]
    assert "This session is full: you are first on its waiting list." in outcome.body


def test_changing_a_choice_frees_the_seat_for_the_first_waiting(forum, capture):
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    a = sign_up(capture, forum, email="a@example.org")
    sign_up(capture, forum, email="b@example.org")
    sign_up(capture, forum, email="c@example.org")
    mail.outbox.clear()

    with capture(execute=True):
        result = services.change_choices(
            a, [_session(forum, "parallel-session-2"), _session(forum, "parallel-session-3")]
        )
    assert sorted((c.session.slug, c.status) for c in result) == [
        ("parallel-session-2", "confirmed"),
        ("parallel-session-3", "confirmed"),
    ]
    assert _choice("b@example.org", "parallel-session-1") == "confirmed"
    assert _choice("c@example.org", "parallel-session-1") == "waitlisted"
    [promoted] = mail.outbox
    assert promoted.to == ["b@example.org"]
    assert (
        "You now have a seat in “Parallel session 1: City-to-city collaboration: accelerating "
        "the decarbonisation domino”." in promoted.body
    )
    assert "Your place at" not in promoted.body  # the event seat was already theirs


def test_keeping_a_choice_keeps_its_seat_and_queue_place(forum, capture):
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(capture, forum, email="a@example.org")
    b = sign_up(capture, forum, email="b@example.org")
    c = sign_up(capture, forum, email="c@example.org")
    # b changes only the second slot: still first in the session-1 queue.
    with capture(execute=True):
        services.change_choices(
            b, [_session(forum, "parallel-session-1"), _session(forum, "parallel-session-4")]
        )
    from registration.summary import choice_waiting_position

    b_choice = SessionChoice.objects.get(registration=b, session__slug="parallel-session-1")
    c_choice = SessionChoice.objects.get(registration=c, session__slug="parallel-session-1")
    assert (choice_waiting_position(b_choice), choice_waiting_position(c_choice)) == (1, 2)


def test_moving_to_a_full_session_joins_its_waiting_list_and_says_so(forum, capture, web):
    Session.objects.filter(event=forum, slug="parallel-session-2").update(capacity=1)
    sign_up(capture, forum, email="a@example.org",
            choices=("parallel-session-2", "parallel-session-3"))
    b = sign_up(capture, forum, email="b@example.org")
    manage = f"/en/registration/{b.token}/"
    response = web.post(
        manage + "choices/", choice_data(forum, ("parallel-session-2", "parallel-session-3"))
    )
    assert response.status_code == 302
    assert _choice("b@example.org", "parallel-session-2") == "waitlisted"
    assert not SessionChoice.objects.filter(
        registration=b, session__slug="parallel-session-1"
    ).exists()
    page = web.get(manage).content.decode()
    assert (
        "Your choices are saved. These sessions are full, so you are on their waiting list: "
        "Parallel session 2:" in page
    )
    assert "This session is full: you are first on its waiting list." in page


def test_event_promotion_then_session_queue(forum, capture):
    """Promoted to the event, a person's choices join the sessions' queues in order."""
    forum.capacity = 2
    forum.save()
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    a = sign_up(capture, forum, email="a@example.org")
    sign_up(capture, forum, email="b@example.org")
    sign_up(capture, forum, email="c@example.org")
    assert _status("c@example.org") == "waitlisted"
    with capture(execute=True):
        services.cancel(a)
    # c gets the event seat; b, waiting in session 1 since before, gets a's seat there.
    assert _status("c@example.org") == "confirmed"
    assert _choice("b@example.org", "parallel-session-1") == "confirmed"
    assert _choice("c@example.org", "parallel-session-1") == "waitlisted"
    assert _choice("c@example.org", "parallel-session-3") == "confirmed"


def test_raising_capacity_then_filling_free_seats(forum, capture):
    forum.capacity = 1
    forum.save()
    for name in "abcd":
        sign_up(capture, forum, email=f"{name}@example.org")
    mail.outbox.clear()
    forum.capacity = 3
    forum.save()
    with capture(execute=True):
        assert services.promote_waitlist(forum) == 2
    assert [_status(f"{n}@example.org") for n in "abcd"] == [
        "confirmed", "confirmed", "confirmed", "waitlisted",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.org", "c@example.org"]
    with capture(execute=True):
        assert services.promote_waitlist(forum) == 0


def test_organiser_promotion_overrides_capacity(forum, capture):
    forum.capacity = 1
    forum.save()
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(capture, forum, email="a@example.org")
    b = sign_up(capture, forum, email="b@example.org")
    mail.outbox.clear()
    with capture(execute=True):
        assert services.promote(b) is True
    assert _status("b@example.org") == "confirmed"
    assert _choice("b@example.org", "parallel-session-1") == "confirmed"
    assert Registration.objects.filter(status="confirmed").count() == 2
    assert [m.to for m in mail.outbox] == [["b@example.org"]]
    with capture(execute=True):
        assert services.promote(b) is False


def test_cancelling_a_pending_registration_frees_nothing(forum, capture):
    forum.capacity = 1
    forum.save()
    sign_up(capture, forum, email="a@example.org")
    sign_up(capture, forum, email="b@example.org")
    pending = sign_up(capture, forum, email="p@example.org", confirm=False)
    mail.outbox.clear()
    with capture(execute=True):
        services.cancel(pending)
    assert _status("b@example.org") == "waitlisted"
    assert [m.to for m in mail.outbox] == [["p@example.org"]]


def test_erasing_frees_the_seat(forum, capture):
    forum.capacity = 1
    forum.save()
    a = sign_up(capture, forum, email="a@example.org")
    sign_up(capture, forum, email="b@example.org")
    with capture(execute=True):
        services.erase(a)
    assert _status("b@example.org") == "confirmed"
    assert Registration.objects.filter(status="cancelled", erased_at__isnull=False).count() == 1


def test_cancelled_registration_cannot_change_choices(forum, capture):
    a = sign_up(capture, forum, email="a@example.org")
    with capture(execute=True):
        services.cancel(a)
    with pytest.raises(services.RegistrationError):
        services.change_choices(
            a, [_session(forum, "parallel-session-2"), _session(forum, "parallel-session-3")]
        )
