"""Changes of state of the programme that must leave a trace, one transaction each.

Saving a session through :func:`save_session` (the admin does, and so must any
code that moves, cancels or restores a session) records what changed as a
:class:`~agenda.models.SessionChange`: the public changelog and the emails to
registrants are made from these records.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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



def track_clash(session: Session, *, ignore=()) -> Session | None:
    """A session on ``session``'s track (not cancelled) overlapping its time, if any.

    ``ignore``: primary keys of sessions not to count (those moving with it).
    """
    if session.status == Session.Status.CANCELLED:
        return None
    clashes = (
        Session.objects.filter(
            event_id=session.event_id, track=session.track,
            start__lt=session.end, end__gt=session.start,
        )
        .exclude(status=Session.Status.CANCELLED)
        .exclude(pk__in=[session.pk, *ignore])
        .order_by("start")
    )
    return clashes.first()


def move_sessions(sessions, minutes: int, *, changed_by=None) -> list[SessionChange]:
    """Move ``sessions`` by ``minutes`` (negative: earlier), each move recorded by save_session.

    Checked as a whole, so that a whole day can move: sessions moving together
    never clash with each other. If any would then share its track with a
    session that stays, nothing moves and ValidationError lists every clash.
    """
    delta = timedelta(minutes=minutes)
    with transaction.atomic():
        moving = list(
            Session.objects.select_for_update()
            .filter(pk__in=[session.pk for session in sessions])
            .select_related("event", "day")
            .order_by("start", "track", "pk")
        )
        keys = [session.pk for session in moving]
        problems = []
        for session in moving:
            session.start += delta
            session.end += delta
            clash = track_clash(session, ignore=keys)
            if clash is not None:
                problems.append(
                    _("“%(session)s” would share %(track)s with “%(other)s” at the same time.")
                    % {"session": session.title, "other": clash.title,
                       "track": session.track or _("the main programme")}
                )
        if problems:
            raise ValidationError(problems)
        return [change for session in moving
                if (change := save_session(session, changed_by=changed_by)) is not None]
