"""Every change of state of a registration, one transaction per function.

Views, admin actions and management commands all call these functions, so the
seat rules live in one place:

* a seat (at the event, or in a parallel session) is taken only at
  confirmation, while the event row is locked with ``SELECT … FOR UPDATE``;
  every function that gives or frees a seat takes that one lock first, then
  the registration's row, so two transactions never wait on each other in
  opposite orders and concurrent confirmations never overbook;
* whoever waits longest gets the next free seat (FIFO by the time the seat was
  requested) and is told by email;
* emails leave only after the transaction commits (``registration/emails.py``).

Reminders and programme-change notices, which give no seat, are in
``registration/notices.py``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Event, Session
from agenda.programme import load_life
from registration import emails, seats, tokens
from registration.models import Registration, SessionChoice
from registration.programme import parallel_slots


class RegistrationError(Exception):
    """A request the rules refuse; ``message`` is fit to show the visitor."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RegistrationClosed(RegistrationError):
    def __init__(self):
        super().__init__(_("Registration for this event is closed."))


class EventOver(RegistrationError):
    def __init__(self):
        super().__init__(
            _("This event is over: registrations can no longer be changed or cancelled.")
        )


class InvalidChoices(RegistrationError):
    """Parallel-session choices that break the one-per-slot rule."""


@dataclass
class Details:
    """What a person types into the registration form, already validated."""

    full_name: str
    email: str
    organisation: str = ""
    position: str = ""
    country: str = ""
    sector: str = "other"
    language: str = "en"
    channel: str = ""
    future_contact: bool = False
    choices: list = field(default_factory=list)


def email_key(address: str) -> str:
    """How addresses are compared: trimmed and lower-cased."""
    return address.strip().lower()


def check_choices(event, sessions) -> list[Session]:
    """The chosen sessions if they pick exactly one session in every parallel slot.

    Raises :class:`InvalidChoices` for a session of another event or kind, two
    sessions in one slot, or a slot left without a choice.
    """
    slots = parallel_slots(event)
    slot_of = {session.pk: slot for slot in slots for session in slot.sessions}
    taken = {}
    for session in sessions:
        slot = slot_of.get(session.pk)
        if slot is None:
            raise InvalidChoices(
                _("“%(session)s” is not a parallel session of this event.")
                % {"session": session.title}
            )
        if slot.start in taken:
            raise InvalidChoices(
                _("Choose only one of the sessions running at the same time.")
            )
        taken[slot.start] = session
    if len(taken) != len(slots):
        raise InvalidChoices(_("Choose one session for each set of parallel sessions."))
    return [taken[slot.start] for slot in slots]


def find_by_token(token) -> Registration | None:
    """The registration whose private token is ``token``, or None.

    Looked up by the token's digest (the only form stored), compared again in
    constant time. Erased registrations have no digest and are never found.
    """
    if not tokens.is_well_formed(token):
        return None
    registration = (
        Registration.objects.select_related("event")
        .filter(token_digest=tokens.digest(token))
        .first()
    )
    if registration is None or not tokens.digests_match(registration.token_digest, token):
        return None
    registration.remember_token(token)
    return registration


def _confirmation_target(value) -> int | None:
    """The id of the registration a confirmation link names, or None.

    Raises :class:`tokens.ExpiredLink` or :class:`tokens.InvalidLink`.
    """
    named = tokens.read_confirmation(value)
    if isinstance(named, int):  # a link emailed before public ids existed
        return named
    return Registration.objects.filter(public_id=named).values_list("pk", flat=True).first()


def registration_from_confirmation(value) -> Registration:
    """The registration a confirmation link points to, without changing anything.

    Raises :class:`tokens.ExpiredLink` or :class:`tokens.InvalidLink`.
    """
    registration_id = _confirmation_target(value)
    registration = (
        Registration.objects.select_related("event").filter(pk=registration_id).first()
    )
    if registration is None or registration.is_erased:
        raise tokens.InvalidLink("no such registration")
    return registration


def register(event, details: Details) -> Registration:
    """Record a sign-up and email the address; the caller must not say which case it was.

    A new address gets a pending registration and a confirmation link. An
    address already confirmed or waiting gets its private link instead, and
    its registration is left as it is. A pending or cancelled registration is
    replaced by the new details and sent a fresh confirmation link (the
    details only count once the owner of the address confirms them).
    """
    if not load_life(event).takes_signups:
        raise RegistrationClosed()
    choices = check_choices(event, details.choices)
    key = email_key(details.email)
    now = timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .filter(event=event, email_key=key)
            .order_by("pk")
            .first()
        )
        if registration is None:
            try:
                # A savepoint: a concurrent sign-up with the same address
                # makes this insert fail without spoiling the transaction.
                with transaction.atomic():
                    registration = _create(event, details, key, now)
            except IntegrityError:
                registration = Registration.objects.select_for_update(of=("self",)).get(
                    event=event, email_key=key
                )
            else:
                _replace_choices(registration, choices, now)
                emails.send_confirmation_request(registration)
                return registration
        if registration.status in (
            Registration.Status.CONFIRMED,
            Registration.Status.WAITLISTED,
        ):
            emails.send_private_link(registration)
            return registration
        _fill(registration, details, key, now)
        registration.status = Registration.Status.PENDING
        registration.cancelled_at = None
        registration.seat_requested_at = None
        registration.confirmed_at = None
        registration.save()
        _replace_choices(registration, choices, now)
        emails.send_confirmation_request(registration)
        return registration


def _create(event, details, key, now) -> Registration:
    registration = Registration(event=event)
    registration.issue_token()
    _fill(registration, details, key, now)
    registration.save()
    return registration


def _fill(registration, details, key, now):
    registration.full_name = details.full_name
    registration.email = details.email.strip()
    registration.email_key = key
    registration.organisation = details.organisation
    registration.position = details.position
    registration.country = details.country
    registration.sector = details.sector
    registration.language = details.language
    registration.channel = details.channel if registration.event.has_interpretation else ""
    registration.future_contact = details.future_contact
    registration.privacy_consent_at = now


def _replace_choices(registration, sessions, now):
    registration.choices.all().delete()
    SessionChoice.objects.bulk_create(
        SessionChoice(registration=registration, session=session, requested_at=now)
        for session in sessions
    )


def confirm(value) -> Registration:
    """Confirm the address behind a confirmation link and try to give the seats.

    The registration becomes confirmed when the event has a free seat, or
    waitlisted when it is full; each chosen session is confirmed or waitlisted
    on its own. Confirming twice changes nothing. Raises
    :class:`tokens.ExpiredLink` or :class:`tokens.InvalidLink`.
    """
    registration_id = _confirmation_target(value)
    with transaction.atomic():
        registration = _lock(registration_id) if registration_id else None
        if registration is None or registration.is_erased:
            raise tokens.InvalidLink("no such registration")
        if registration.status != Registration.Status.PENDING:
            return registration
        now = timezone.now()
        # Join the end of the waiting list; _allocate() then serves the list
        # in order, so this person gets a seat only if nobody waits before them.
        registration.status = Registration.Status.WAITLISTED
        registration.seat_requested_at = now
        registration.save(update_fields=["status", "seat_requested_at", "updated_at"])
        registration.choices.update(status=SessionChoice.Status.INACTIVE, requested_at=now)
        gains = _allocate(registration.event)
        registration.refresh_from_db()
        emails.send_outcome(registration)
        _announce(gains, exclude=registration.pk)
        return registration


def change_choices(registration, sessions) -> list[SessionChoice]:
    """Replace the person's parallel-session choices; return them with their new status.

    An unchanged choice keeps its seat (or its place in the queue). A new one
    joins that session's waiting list and gets a seat at once if one is free
    and nobody waits before it; the seat it leaves goes to the next person
    waiting. Raises :class:`InvalidChoices` or :class:`RegistrationError`.
    """
    with transaction.atomic():
        locked = _lock(registration.pk)
        if locked is None or locked.is_erased or locked.status == Registration.Status.CANCELLED:
            raise RegistrationError(_("This registration is cancelled: it has no choices."))
        if not load_life(locked.event).can_change_registration:
            raise EventOver()
        wanted = check_choices(locked.event, sessions)
        now = timezone.now()
        current = {choice.session_id: choice for choice in locked.choices.all()}
        wanted_ids = {session.pk for session in wanted}
        locked.choices.exclude(session_id__in=wanted_ids).delete()
        new_status = (
            SessionChoice.Status.WAITLISTED
            if locked.status == Registration.Status.CONFIRMED
            else SessionChoice.Status.INACTIVE
        )
        SessionChoice.objects.bulk_create(
            SessionChoice(registration=locked, session=session, status=new_status,
                          requested_at=now)
            for session in wanted
            if session.pk not in current
        )
        gains = _allocate(locked.event)
        _announce(gains, exclude=locked.pk)
        return list(locked.choices.select_related("session"))


def update_preferences(registration, *, language: str, channel: str = "") -> Registration:
    """Change the language of the emails and the interpretation channel."""
    with transaction.atomic():
        locked = _lock(registration.pk)
        if locked is None or locked.is_erased:
            raise RegistrationError(_("This registration no longer exists."))
        locked.language = language
        locked.channel = channel if locked.event.has_interpretation else ""
        locked.save(update_fields=["language", "channel", "updated_at"])
        return locked


def cancel(registration, *, notify=True) -> Registration:
    """Cancel a registration; its seats go to the people waiting, who are emailed.

    Cancelling twice changes nothing.
    """
    with transaction.atomic():
        locked = _lock(registration.pk)
        if locked is None or locked.status == Registration.Status.CANCELLED:
            return locked or registration
        _cancel_locked(locked)
        gains = _allocate(locked.event)
        if notify:
            emails.send_cancelled(locked)
        _announce(gains, exclude=locked.pk)
        return locked


def _cancel_locked(registration):
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    registration.choices.update(status=SessionChoice.Status.INACTIVE, confirmed_at=None)


def erase(registration, *, promote=True) -> Registration:
    """Cancel if need be, then remove every personal detail; keep anonymous counts.

    Name, address, organisation, position and the private link are wiped; the
    row stays, with its sector, country, channel and session choices, so the
    organisers' counts stay true. The emails stored for it (with their
    attachments and delivery logs) are deleted, and the admin's history names
    it "Erased registration #id" instead of by name and address.
    ``promote=False`` leaves freed seats empty (for erasing after the event,
    when nobody should be emailed).
    """
    with transaction.atomic():
        locked = _lock(registration.pk)
        if locked is None or locked.is_erased:
            return locked or registration
        gains = {}
        if locked.status != Registration.Status.CANCELLED:
            _cancel_locked(locked)
            if promote:
                gains = _allocate(locked.event)
        locked.full_name = ""
        locked.email = ""
        locked.email_key = ""
        locked.organisation = ""
        locked.position = ""
        locked.token_digest = ""
        locked.token_salt = ""
        locked.future_contact = False
        locked.erased_at = timezone.now()
        locked.save()
        emails.forget(locked)
        # The admin's history names objects as they were (str() of a
        # registration is "name <address>"); what changed stays recorded.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Registration),
            object_id=str(locked.pk),
        ).update(object_repr=str(locked)[:200])
        _announce(gains, exclude=locked.pk)
        return locked


def promote_waitlist(event) -> int:
    """Give every free seat of the event and its sessions to the people waiting longest.

    For organisers after raising a capacity; cancellations do this by
    themselves. Returns how many registrations gained a seat.
    """
    with transaction.atomic():
        locked_event = Event.objects.select_for_update().get(pk=event.pk)
        gains = _allocate(locked_event)
        _announce(gains)
        return len(gains)


def promote(registration) -> bool:
    """An organiser's decision: seat this waiting person now, even over capacity.

    Gives the event seat and a seat in each chosen session, whatever the
    counts, and emails the person. Returns False when there was nothing to do.
    """
    with transaction.atomic():
        locked = _lock(registration.pk)
        if locked is None or locked.status not in (
            Registration.Status.CONFIRMED,
            Registration.Status.WAITLISTED,
        ):
            return False
        now = timezone.now()
        gained_event = locked.status == Registration.Status.WAITLISTED
        waiting = list(
            locked.choices.exclude(status=SessionChoice.Status.CONFIRMED).select_related("session")
        )
        if not gained_event and not waiting:
            return False
        if gained_event:
            locked.status = Registration.Status.CONFIRMED
            locked.confirmed_at = now
            locked.save(update_fields=["status", "confirmed_at", "updated_at"])
        locked.choices.exclude(status=SessionChoice.Status.CONFIRMED).update(
            status=SessionChoice.Status.CONFIRMED, confirmed_at=now
        )
        emails.send_promoted(
            locked, event_seat=gained_event, session_ids=[c.session_id for c in waiting]
        )
        return True


def resend_link(address: str) -> int:
    """Email every registration of ``address`` its way back in; say nothing to the visitor.

    Each gets a fresh private token, so a link that leaked stops working once
    its owner asks for a new one. A pending registration gets a fresh
    confirmation link, any other its private link. Returns how many emails
    were queued (for tests and logs, never for the visitor).
    """
    key = email_key(address)
    if not key:
        return 0
    with transaction.atomic():
        registrations = list(
            Registration.objects.select_related("event").filter(email_key=key)
        )
        for registration in registrations:
            if registration.is_erased:
                continue
            registration.issue_token()
            registration.save(update_fields=["token_digest", "token_salt", "updated_at"])
            if registration.status == Registration.Status.PENDING:
                emails.send_confirmation_request(registration)
            else:
                emails.send_private_link(registration)
        return len(registrations)


def resend_confirmation(registration) -> bool:
    """Send again the email that matches the registration's state (organisers' action).

    Pending: the confirmation link. Confirmed or waiting: the full confirmation
    with the calendar. Cancelled or erased: nothing, and False.
    """
    with transaction.atomic():
        if registration.is_erased or registration.status == Registration.Status.CANCELLED:
            return False
        if registration.status == Registration.Status.PENDING:
            emails.send_confirmation_request(registration)
        else:
            emails.send_outcome(registration)
        return True


def _lock(registration_id) -> Registration | None:
    """Lock the registration's event row, then the registration row.

    Always in that order, in every function here: the event row is the one
    lock that guards every seat of the event (the event's and its sessions'),
    so seat counts read under it are exact.
    """
    event_id = (
        Registration.objects.filter(pk=registration_id).values_list("event_id", flat=True).first()
    )
    if event_id is None:
        return None
    event = Event.objects.select_for_update().get(pk=event_id)
    # of=("self",) and no ordering: the model's default ordering joins the
    # event table, and FOR UPDATE would then lock through the join.
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .filter(pk=registration_id)
        .order_by("pk")
        .first()
    )
    if registration is not None:
        registration.event = event
    return registration


def _allocate(event) -> dict:
    """Give free seats to the people waiting, longest first. The event row must be locked.

    First event seats (registrations), then the seats of each parallel
    session (choices of registrations holding an event seat). Returns, per
    registration id that gained something, ``{"event": bool, "sessions": [ids]}``.
    """
    now = timezone.now()
    gains = defaultdict(lambda: {"event": False, "sessions": []})
    waiting = Registration.objects.filter(
        event=event, status=Registration.Status.WAITLISTED
    ).order_by("seat_requested_at", "pk")
    free = seats.free_at_event(event)
    if free is not None:
        waiting = waiting[:free]
    promoted = list(waiting.values_list("pk", flat=True))
    if promoted:
        Registration.objects.filter(pk__in=promoted).update(
            status=Registration.Status.CONFIRMED, confirmed_at=now, updated_at=now
        )
        # Their choices now compete for session seats, in the order the
        # choices were made.
        SessionChoice.objects.filter(
            registration_id__in=promoted, status=SessionChoice.Status.INACTIVE
        ).update(status=SessionChoice.Status.WAITLISTED)
        for registration_id in promoted:
            gains[registration_id]["event"] = True

    waiting_choices = SessionChoice.objects.filter(
        session__event=event,
        status=SessionChoice.Status.WAITLISTED,
        registration__status=Registration.Status.CONFIRMED,
    )
    for session in Session.objects.filter(
        pk__in=waiting_choices.values("session_id")
    ).order_by("pk"):
        queue = waiting_choices.filter(session=session).order_by("requested_at", "pk")
        free = seats.free_in_session(session)
        if free is not None:
            queue = queue[:free]
        seated = list(queue.values_list("pk", "registration_id"))
        if seated:
            SessionChoice.objects.filter(pk__in=[pk for pk, _ in seated]).update(
                status=SessionChoice.Status.CONFIRMED, confirmed_at=now
            )
            for _pk, registration_id in seated:
                gains[registration_id]["sessions"].append(session.pk)
    return dict(gains)


def _announce(gains, exclude=None):
    """Email each person who gained a seat (after commit)."""
    if not gains:
        return
    registrations = Registration.objects.select_related("event").in_bulk(
        [pk for pk in gains if pk != exclude]
    )
    for pk, registration in registrations.items():
        emails.send_promoted(
            registration, event_seat=gains[pk]["event"], session_ids=gains[pk]["sessions"]
        )
