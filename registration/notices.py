"""Emails that tell registrants something, once each: reminders and programme changes.

Each function records what it told (:class:`ReminderSent`,
:class:`ChangeNotice`, unique per person) in the transaction that queues the
email, so running a command again, or twice at once, tells nobody anything
twice. Seats are given and freed in ``registration/services.py``; the lock
order described there (the event row first) holds here too.
"""

from django.db import transaction

from agenda.models import Event, SessionChange
from agenda.programme import load_life
from registration import emails
from registration.changes import net_changes
from registration.models import ChangeNotice, Registration, ReminderSent
from registration.programme import followed_sessions


def send_reminders(event, key: str) -> int:
    """Send the reminder named ``key`` to each confirmed registrant who has not had it.

    Each sending is recorded (:class:`ReminderSent`, unique per registrant and
    key) in the same transaction, so running the command again, even at the
    same time, sends nobody the same reminder twice. Returns how many went out;
    none for an event that is over.
    """
    if load_life(event).is_past:
        return 0
    sent = 0
    with transaction.atomic():
        registrations = Registration.objects.filter(
            event=event, status=Registration.Status.CONFIRMED, erased_at__isnull=True
        ).exclude(reminders__key=key)
        for registration in registrations.select_related("event"):
            _, created = ReminderSent.objects.get_or_create(registration=registration, key=key)
            if created:
                emails.send_reminder(registration)
                sent += 1
    return sent


def notify_changes(event) -> int:
    """Email each registrant the programme changes of their sessions not yet told them.

    Who: confirmed and waitlisted registrants (not cancelled, not erased)
    whose sessions changed: every non-parallel session and the parallel
    sessions they chose (``registration.programme.followed_sessions``). Which
    changes: those made after the person confirmed their address (or, for a
    registration without that moment, after they registered), since the email
    they got then already showed the programme as it was. One email per person per run, listing
    every change not yet told; each change told is recorded
    (:class:`ChangeNotice`, unique per person and change) in the same
    transaction that queues the email, and the event row is locked first as
    in every function here, so running again, or twice at once, tells nobody
    anything twice. Changes that cancel out (moved and moved back) are
    recorded as told without an email. Returns how many emails were queued;
    none for an event that is over (its changes are history, not news).
    """
    if load_life(event).is_past:
        return 0
    with transaction.atomic():
        locked_event = Event.objects.select_for_update().get(pk=event.pk)
        changes = list(
            SessionChange.objects.filter(session__event=locked_event)
            .select_related("session")
            .order_by("changed_at", "pk")
        )
        if not changes:
            return 0
        registrations = list(
            Registration.objects.filter(
                event=locked_event,
                status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
                erased_at__isnull=True,
            ).order_by("pk")
        )
        followed = followed_sessions(locked_event, registrations)
        told = set(
            ChangeNotice.objects.filter(registration__event=locked_event).values_list(
                "registration_id", "change_id"
            )
        )
        sent = 0
        for registration in registrations:
            since = registration.seat_requested_at or registration.created_at
            news = [
                change for change in changes
                if change.session_id in followed[registration.pk]
                and change.changed_at > since
                and (registration.pk, change.pk) not in told
            ]
            if not news:
                continue
            ChangeNotice.objects.bulk_create(
                ChangeNotice(registration=registration, change=change) for change in news
            )
            if net_changes(news):
                emails.send_change_notice(registration, change_ids=[c.pk for c in news])
                sent += 1
        return sent
