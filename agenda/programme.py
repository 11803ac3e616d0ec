"""Reading the programme for the public pages: a fixed number of queries per page.

Each loader returns plain objects the templates can print directly, with every
time already converted to the event's display zones and the viewer's zone.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import npgettext

from agenda import event_life, timezones
from agenda.models import (
    Day,
    Event,
    EventOrganisation,
    Session,
    SessionChange,
    SessionSpeaker,
    Speaker,
)


def zones_for(event: Event, viewer_zone: str | None) -> list[str]:
    """The event's display zones in order, then the viewer's zone if it is another one."""
    zones = list(event.display_zones) or [event.reference_timezone]
    if viewer_zone and viewer_zone not in zones:
        zones.append(viewer_zone)
    return zones


# The one model of times in zones lives in the time-zone module; pages use it from here.
TimeRange = timezones.TimeRange
time_ranges = timezones.time_ranges


@dataclass
class Slot:
    """Sessions that start together: one plenary item, or parallel sessions side by side."""

    start: datetime
    end: datetime
    sessions: list[Session]
    times: list[TimeRange] = field(default_factory=list)
    is_now: bool = False  # a session of the slot is running (see mark_now)
    is_next: bool = False  # the next sessions start here
    is_anchor: bool = False  # where "jump to now" lands: the running slot, else the next

    @property
    def is_parallel(self):
        return len(self.sessions) > 1

    @property
    def is_break(self):
        return all(session.is_break for session in self.sessions)


@dataclass
class DayProgramme:
    day: Day
    slots: list[Slot]
    times: list[TimeRange]

    @property
    def is_empty(self):
        return not self.slots


def speakers_prefetch() -> Prefetch:
    """Speakers of each session with their organisation, in the organisers' order."""
    return Prefetch(
        "session_speakers",
        queryset=SessionSpeaker.objects.select_related("speaker__organisation").order_by(
            "order", "id"
        ),
    )


def get_event(slug: str, user=None) -> Event:
    """The event with that slug if ``user`` may see it (drafts: staff only), or 404."""
    try:
        return Event.objects.visible_to(user).get(slug=slug)
    except Event.DoesNotExist:
        raise Http404("No such event") from None


#: A programme of more sessions than this is shown a day at a time, with
#: filters (agenda/agenda_filters.py); one of this many or fewer stays on one
#: page. At about 3 KB of HTML per session in the full agenda markup, 60
#: sessions keep a whole programme under the agenda's 250 KB budget. Counted
#: without cancelled sessions, from the event's life (no query of its own). The
#: seed events (15 sessions and none) stay one page.
BIG_PROGRAMME_SESSIONS = 60


def is_big_programme(life: event_life.EventLife) -> bool:
    """Whether the event's agenda is shown a day at a time (see BIG_PROGRAMME_SESSIONS)."""
    return len(life.sessions) > BIG_PROGRAMME_SESSIONS


def default_day(life: event_life.EventLife) -> Day | None:
    """The day a big programme's agenda opens on.

    The day in progress while the event is live; between two days, the next
    one; otherwise (before the event, after it) the first day.
    """
    spans = life.spans
    if not spans:
        return None
    if life.is_live:
        for span in spans:
            if span.start <= life.now < span.end:
                return span.day
    if life.has_started and not life.is_past:
        for span in spans:
            if span.start > life.now:
                return span.day
    return min((span.day for span in spans), key=lambda day: day.number)


@dataclass
class LoadedProgramme:
    """An event's days and every session (cancelled ones too), in programme order."""

    days: list[Day]
    sessions: list[Session]

    def sessions_of(self, day: Day) -> list[Session]:
        return [session for session in self.sessions if session.day_id == day.pk]

    def session(self, slug: str) -> Session:
        """The session of this slug with its speakers (one query), or 404."""
        found = next((session for session in self.sessions if session.slug == slug), None)
        if found is None:
            raise Http404("No such session")
        return with_speakers([found])[0]

    def parallel_to(self, session: Session) -> list[Session]:
        """The other sessions starting with ``session`` (its parallel sessions)."""
        return [other for other in self.sessions
                if other.start == session.start and other.pk != session.pk]


def load_programme(event: Event) -> LoadedProgramme:
    """The days and sessions of ``event`` (two queries), for where it stands and its agenda.

    Read once per page: the agenda groups the same sessions that say where
    the event stands. Speakers are left out: agenda/session_cards.py fetches
    them only for the sessions whose block is not in the cache already.
    """
    days = list(event.days.all().order_by("number"))
    by_pk = {day.pk: day for day in days}
    sessions = list(Session.objects.filter(event=event).order_by("start", "track", "id"))
    for day in days:
        day.event = event
    for session in sessions:
        session.event = event  # spares a query per session for event fields
        session.day = by_pk[session.day_id]  # and one for its day
    return LoadedProgramme(days=days, sessions=sessions)


def with_speakers(sessions: list[Session]) -> list[Session]:
    """``sessions`` with their speakers fetched (one query for all of them)."""
    prefetch_related_objects(sessions, speakers_prefetch())
    return sessions


def group_into_days(days: list[Day], sessions: list[Session], zones: list[str],
                    viewer_zone: str | None = None) -> list[DayProgramme]:
    """``days`` with ``sessions`` (in programme order) grouped into slots, times in ``zones``."""
    by_day: dict[int, list[Session]] = {day.pk: [] for day in days}
    for session in sessions:
        by_day.setdefault(session.day_id, []).append(session)

    programme = []
    for day in days:
        slots: list[Slot] = []
        for session in by_day.get(day.pk, []):
            if slots and slots[-1].start == session.start:
                slots[-1].sessions.append(session)
                slots[-1].end = max(slots[-1].end, session.end)
            else:
                slots.append(Slot(session.start, session.end, [session]))
        for slot in slots:
            slot.times = time_ranges(slot.start, slot.end, zones, day.date, viewer_zone)
        if slots:
            day_times = time_ranges(slots[0].start, max(s.end for s in slots), zones, day.date,
                                    viewer_zone)
        else:
            day_times = []
        programme.append(DayProgramme(day=day, slots=slots, times=day_times))
    return programme


def mark_now(programme: list[DayProgramme], life: event_life.EventLife) -> None:
    """Mark the agenda's slots running now and next, and where "jump to now" lands."""
    if not life.is_live:
        return
    running = {session.pk for session in life.running}
    next_start = life.next_sessions[0].start if life.next_sessions else None
    slots = [slot for entry in programme for slot in entry.slots]
    for slot in slots:
        slot.is_now = any(session.pk in running for session in slot.sessions)
        slot.is_next = slot.start == next_start
    anchor = next((s for s in slots if s.is_now), None) or next(
        (s for s in slots if s.is_next), None)
    if anchor is not None:
        anchor.is_anchor = True


def get_session(event: Event, slug: str) -> Session:
    """One session of the event with its day and speakers, or 404."""
    try:
        session = (
            Session.objects.select_related("day")
            .prefetch_related(speakers_prefetch())
            .get(event=event, slug=slug)
        )
    except Session.DoesNotExist:
        raise Http404("No such session") from None
    session.event = event
    session.day.event = event
    return session


def event_speakers(event: Event):
    """Speakers who take part in the event, each with their sessions there."""
    roles = SessionSpeaker.objects.filter(session__event=event).select_related("session__day")
    return (
        Speaker.objects.filter(session_roles__session__event=event)
        .distinct()
        .select_related("organisation")
        .prefetch_related(Prefetch("session_roles", queryset=roles.order_by("session__start")))
        .order_by("name")
    )


def other_participants(event: Event) -> list[tuple[str, Session]]:
    """People who take part without a name (a representative of …), with their session."""
    sessions = (Session.objects.filter(event=event).exclude(other_participants="")
                .order_by("start", "track", "id"))
    result = []
    for session in sessions:
        session.event = event
        result += [(participant, session) for participant in session.other_participant_lines]
    return result


def get_speaker(event: Event, slug: str) -> Speaker:
    """A speaker of this event, or 404 (a speaker of another event is not shown here)."""
    speaker = event_speakers(event).filter(slug=slug).first()
    if speaker is None:
        raise Http404("No such speaker")
    return speaker


def role_heading(role: str, count: int) -> str:
    """The heading over ``count`` organisations playing ``role`` ("Organiser"/"Organisers")."""
    Role = EventOrganisation.Role
    headings = {
        Role.ORGANISER: npgettext("organisation role heading", "Organiser", "Organisers", count),
        Role.CO_ORGANISER: npgettext(
            "organisation role heading", "Co-organiser", "Co-organisers", count
        ),
        Role.COLLABORATOR: npgettext(
            "organisation role heading", "Collaborator", "Collaborators", count
        ),
        Role.CONTACT: npgettext("organisation role heading", "Contact", "Contacts", count),
    }
    return headings[role]


def organisation_links(event: Event) -> list[EventOrganisation]:
    """The event's organisations with their roles, in the organisers' order (one query)."""
    return list(event.event_organisations.select_related("organisation").order_by("order", "id"))


def organisations_by_role(links: list[EventOrganisation]) -> list[tuple[str, list]]:
    """The organisations of :func:`organisation_links` grouped by role, with headings."""
    groups: dict[str, list] = {}
    for link in links:
        groups.setdefault(link.role, []).append(link.organisation)
    order = [role for role, _label in EventOrganisation.Role.choices]
    return [(role_heading(role, len(groups[role])), groups[role]) for role in order
            if role in groups]


def event_period(loaded: LoadedProgramme, zones: list[str]):
    """Per day: the day and its first start to last end in every zone (no query)."""
    bounds: dict[int, list[datetime]] = {}
    for session in loaded.sessions:
        low, high = bounds.get(session.day_id, (session.start, session.end))
        bounds[session.day_id] = [min(low, session.start), max(high, session.end)]
    result = []
    for day in loaded.days:
        if day.pk in bounds:
            start, end = bounds[day.pk]
            result.append((day, time_ranges(start, end, zones, day.date)))
        else:
            result.append((day, []))
    return result


def event_start(event: Event) -> datetime | None:
    """When the event begins: its first session that is not cancelled, else its first day.

    The first day counts from midnight in the reference zone (an event whose
    programme is not out yet). None for an event without days.
    """
    first = (
        Session.objects.filter(event=event)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    if first is not None:
        return first
    day = event.days.order_by("date").first()
    return day.bounds()[0] if day is not None else None


def load_life(event: Event, now: datetime | None = None) -> event_life.EventLife:
    """Where the event stands now (two queries): see ``agenda/event_life.py``."""
    return life_of(event, load_programme(event), now)


def life_of(event: Event, loaded: LoadedProgramme,
            now: datetime | None = None) -> event_life.EventLife:
    """Where the event stands now, from its programme read already."""
    sessions = [session for session in loaded.sessions
                if session.status != Session.Status.CANCELLED]
    return event_life.derive(event, loaded.days, sessions, now or timezone.now())


@dataclass
class LiveItem:
    """A session in the "Now" band, with its times in every zone."""

    session: Session
    times: list[TimeRange]

    @property
    def livestream_url(self):
        return self.session.effective_livestream_url


@dataclass
class Standing:
    """What every page of an event says about where it stands, ready to print."""

    life: event_life.EventLife
    window_times: list[timezones.LocalTime]
    now: list[LiveItem]
    next: list[LiveItem]

    @property
    def livestream_url(self):
        """The band's button when no running session has a link of its own: the event's."""
        return self.life.event.livestream_url


def standing(life: event_life.EventLife, zones: list[str],
             viewer_zone: str | None = None) -> Standing:
    """The event's state with the registration window and "now and next" in every zone."""
    moment = life.window_moment
    window_times = []
    if moment is not None:
        reference_date = moment.astimezone(life.event.reference_zone).date()
        window_times = [timezones.localise(moment, zone, reference_date) for zone in zones]

    def items(sessions):
        return [LiveItem(session, time_ranges(session.start, session.end, zones,
                                              session.day.date, viewer_zone))
                for session in sessions]

    return Standing(life=life, window_times=window_times, now=items(life.running),
                    next=items(life.next_sessions))


def events_upcoming_first(now: datetime | None = None):
    """Events not yet over (soonest first), then past ones (latest first), with their life.

    Each event gets ``first_date``, ``last_date`` and ``life`` (three queries in all).
    """
    now = now or timezone.now()
    events = list(Event.objects.public().prefetch_related("days"))
    sessions_by_event: dict[int, list[Session]] = {}
    for session in Session.objects.filter(event__in=events).exclude(
        status=Session.Status.CANCELLED
    ):
        sessions_by_event.setdefault(session.event_id, []).append(session)
    upcoming, past = [], []
    for event in events:
        days = list(event.days.all())
        event.life = event_life.derive(event, days, sessions_by_event.get(event.pk, []), now)
        event.first_date = event.life.first_date
        event.last_date = event.life.last_date
        (past if event.life.is_past else upcoming).append(event)
    upcoming.sort(key=lambda e: (e.first_date is None, e.first_date or date.min))
    past.sort(key=lambda e: e.last_date, reverse=True)
    return upcoming, past


@dataclass
class ZoneChange:
    """One zone's row of a change: the times before and after, as seen there."""

    zone_name: str
    before: TimeRange
    after: TimeRange
    is_viewer_zone: bool = False

    @property
    def city(self):
        return self.after.city


@dataclass
class ChangeEntry:
    """One recorded change as the public changelog shows it (never who made it)."""

    change: SessionChange
    session: Session
    changed_on: date
    zones: list[ZoneChange]

    @property
    def kind_label(self):
        return self.change.get_kind_display()


def load_changes(event: Event, viewer_zone: str | None = None) -> list[ChangeEntry]:
    """The event's programme changes, newest first, with times in every zone (one query).

    The page prints each time with its own date, so no day shift is needed;
    the date of the change is the organisers' (the reference zone's).
    """
    zones = zones_for(event, viewer_zone)
    reference = event.reference_zone
    changes = (
        SessionChange.objects.filter(session__event=event)
        .select_related("session")
        .order_by("-changed_at", "-pk")
    )
    entries = []
    for change in changes:
        session = change.session
        session.event = event
        before = time_ranges(change.old_start, change.old_end, zones, None, viewer_zone)
        after = time_ranges(change.new_start, change.new_end, zones, None, viewer_zone)
        entries.append(
            ChangeEntry(
                change=change,
                session=session,
                changed_on=change.changed_at.astimezone(reference).date(),
                zones=[
                    ZoneChange(zone, old, new, is_viewer_zone=old.is_viewer_zone)
                    for zone, old, new in zip(zones, before, after, strict=True)
                ],
            )
        )
    return entries
