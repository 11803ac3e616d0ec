"""Changes of state of the programme that must leave a trace, one transaction each.

Saving a session through :func:`save_session` (the admin does, and so must any
code that moves, cancels or restores a session) records what changed as a
:class:`~agenda.models.SessionChange`: the public changelog and the emails to
registrants are made from these records.
"""

from django.db import transaction
from django.utils import timezone

from agenda.models import Session, SessionChange


def save_session(session: Session, *, changed_by=None) -> SessionChange | None:
    """Save ``session``; if its start, end or status changed, record the change.

    A new session is not a change. Returns the recorded change, or None when
    the time and status stayed as stored. ``changed_by`` is the organiser
    (a user) who made it, kept for the admin only.
    """
    with transaction.atomic():
        if session.pk is not None and not session._state.adding:
            # Locked so that two organisers saving at once record a chain of
            # changes (a→b, b→c), never two changes from the same "before".
            list(Session.objects.select_for_update().filter(pk=session.pk).values_list("pk"))
        # Session.save compares with the stored row (and raises SEQUENCE).
        session.save()
        before = session.time_and_status_before
        after = session.time_and_status()
        if before is None or after == before:
            return None
        return SessionChange.objects.create(
            session=session,
            kind=SessionChange.kind_between(before["status"], after["status"]),
            old_start=before["start"],
            old_end=before["end"],
            new_start=after["start"],
            new_end=after["end"],
            old_status=before["status"],
            new_status=after["status"],
            changed_at=timezone.now(),
            changed_by=changed_by if getattr(changed_by, "is_authenticated", False) else None,
        )

