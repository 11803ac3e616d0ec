"""What a registrant attends: the parallel slots they choose in, and their sessions.

A *slot* is the set of parallel sessions of an event that start at the same
instant (forum Day 2: 07:10 EST → sessions 1 and 2). A participant chooses
exactly one session per slot and attends every other (non-parallel) session.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from agenda import timezones
from agenda.models import Session
from registration.models import Registration, SessionChoice


@dataclass
class Slot:
    """Parallel sessions starting at the same instant, in display order."""

    start: datetime
    sessions: list = field(default_factory=list)

    @property
    def key(self) -> str:
        """A stable form-field suffix for this slot (its UTC start)."""
        return self.start.strftime("%Y%m%dT%H%M")


def parallel_slots(event) -> list[Slot]:
    """The event's parallel slots in time order (cancelled sessions left out)."""
    sessions = (
        Session.objects.filter(event=event, kind=Session.Kind.PARALLEL)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("day")
        .order_by("start", "track", "pk")
    )
    slots: dict[datetime, Slot] = {}
    for session in sessions:
        slots.setdefault(session.start, Slot(session.start)).sessions.append(session)
    return list(slots.values())


def personal_sessions(registration, *, include_waitlisted=False) -> list[Session]:
    """The sessions this person attends, in time order.

    Every non-parallel session of the event (cancelled ones included: calendars
    must learn of the cancellation) plus the parallel sessions in which they
    hold a seat — or are waiting for one, with ``include_waitlisted``. Someone
    without an event seat (pending, waiting, cancelled) attends nothing yet.
    """
    if registration.status != Registration.Status.CONFIRMED:
        return []
    statuses = [SessionChoice.Status.CONFIRMED]
    if include_waitlisted:
        statuses.append(SessionChoice.Status.WAITLISTED)
    chosen_ids = set(
        SessionChoice.objects.filter(registration=registration, status__in=statuses)
        .values_list("session_id", flat=True)
    )
    sessions = (
        Session.objects.filter(event_id=registration.event_id)
        .select_related("day", "event")
        .prefetch_related("session_speakers__speaker")
        .order_by("start", "track", "pk")
    )
    return [s for s in sessions if attends(s, chosen_ids)]


def attends(session, chosen_ids) -> bool:
    """Whether someone who chose the sessions ``chosen_ids`` attends ``session``.

    They attend every session except the parallel ones they did not choose.
    """
    return not session.is_parallel or session.pk in chosen_ids


def followed_sessions(event, registrations) -> dict[int, set[int]]:
    """Per registration id, the ids of the event's sessions the person should hear about.

    The same rule as :func:`personal_sessions` (every non-parallel session,
    and the parallel sessions chosen), but for people still waiting too, and
    counting a chosen session whatever its seat: someone waiting for a seat,
    at the event or in a session, wants to know when it moves. Two queries
    for any number of registrations.
    """
    registration_ids = [registration.pk for registration in registrations]
    chosen: dict[int, set[int]] = {pk: set() for pk in registration_ids}
    for registration_id, session_id in SessionChoice.objects.filter(
        registration_id__in=registration_ids
    ).values_list("registration_id", "session_id"):
        chosen[registration_id].add(session_id)
    sessions = list(Session.objects.filter(event=event).only("pk", "kind"))
    return {
        pk: {session.pk for session in sessions if attends(session, chosen_ids)}
        for pk, chosen_ids in chosen.items()
    }


def slot_label(slot: Slot, zone_names) -> str:
    """``Parallel sessions at 07:10 EST / 21:10 JST``: a slot named by its times."""
    times = [f"{local.start.clock} {local.abbreviation}"
             for local in timezones.time_ranges(slot.start, slot.start, zone_names)]
    return _("Parallel sessions at %(times)s") % {"times": " / ".join(times)}
