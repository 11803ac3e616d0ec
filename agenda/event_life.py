"""Where an event stands: upcoming, live or past, and whether it takes sign-ups now.

:func:`derive` is the one place that decides it, from the clock and the
organisers' settings (the "taking sign-ups" switch and the optional
registration window). Pages, forms, emails, commands, the sitemap and the
structured data all ask it, through :func:`agenda.programme.load_life` which
reads what it needs: no state is stored, so nobody has to flip a switch when an
event starts or ends.

The rules:

* Each programme day runs from its first session's start to its last
  session's end; a day without sessions (a workshop whose programme is not
  out, such as Điện Biên) runs the whole day in the event's reference zone.
  Cancelled sessions do not count.
* **live** while a day runs (a session is on, or a break between two);
  **past** once the last day has finished; **upcoming** otherwise: before the
  first day starts, or between two days (then :attr:`EventLife.has_started`).
* Sign-ups are taken only while the switch is on, the window (if any) is
  open, and the event is not past. A full event still takes sign-ups onto its
  waiting list, as before.
* Pages that show the state are cached until :attr:`EventLife.next_boundary`,
  the next moment any of this can change (a session or day starting or ending,
  the window opening or closing).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.utils.translation import gettext as _

from agenda import timezones

UPCOMING = "upcoming"
LIVE = "live"
PAST = "past"

# Whether sign-ups are taken, and if not, why.
OPEN = "open"
NOT_YET_OPEN = "not_yet_open"
WINDOW_CLOSED = "window_closed"
PAUSED = "paused"  # the organisers' switch is off: closed early or paused
EVENT_OVER = "event_over"


@dataclass(frozen=True)
class DaySpan:
    """When one programme day runs."""

    day: object  # agenda.models.Day
    start: datetime
    end: datetime


@dataclass
class EventLife:
    """Where an event stands at ``now``; see the module docstring for the rules."""

    event: object  # agenda.models.Event
    now: datetime
    phase: str
    registration: str
    spans: list[DaySpan]
    sessions: list  # the sessions that are not cancelled, in programme order
    running: list  # sessions on now (breaks included), in programme order
    next_sessions: list  # the sessions (not breaks) that start next, side by side
    next_boundary: datetime | None

    @property
    def is_upcoming(self) -> bool:
        return self.phase == UPCOMING

    @property
    def is_live(self) -> bool:
        return self.phase == LIVE

    @property
    def is_past(self) -> bool:
        return self.phase == PAST

    @property
    def has_started(self) -> bool:
        """Whether the first day has begun (true between two days, too)."""
        return bool(self.spans) and self.now >= self.spans[0].start

    @property
    def takes_signups(self) -> bool:
        return self.registration == OPEN

    @property
    def can_change_registration(self) -> bool:
        """Registrants change choices or cancel only until the event is over."""
        return not self.is_past

    @property
    def ends_at(self) -> datetime | None:
        """When the event is over (the end of its last day's span), or None without days."""
        return max(span.end for span in self.spans) if self.spans else None

    @property
    def first_date(self) -> date | None:
        return self.spans[0].day.date if self.spans else None

    @property
    def last_date(self) -> date | None:
        return self.spans[-1].day.date if self.spans else None

    @property
    def window_moment(self) -> datetime | None:
        """The window's moment the registration note speaks of (opens, closes or closed)."""
        if self.registration == NOT_YET_OPEN:
            return self.event.registration_opens_at
        if self.registration in (OPEN, WINDOW_CLOSED):
            return self.event.registration_closes_at
        return None

    @property
    def headline(self) -> str:
        """Where the event stands, in the active language ("" when there is nothing to say)."""
        if self.is_past:
            return _("This event took place on %(dates)s.") % {"dates": self._dates()}
        if self.is_live:
            return _("Happening now")
        if self.has_started:
            upcoming_days = [span for span in self.spans if span.start > self.now]
            return _("This event is under way: it continues on %(date)s.") % {
                "date": timezones.format_date(upcoming_days[0].day.date)
            }
        if self.spans:
            return _("This event takes place on %(dates)s.") % {"dates": self._dates()}
        return ""

    @property
    def registration_note(self) -> str:
        """Whether and until when people can sign up, in the active language."""
        moment = self.window_moment
        when = (timezones.format_date(moment.astimezone(self.event.reference_zone).date())
                if moment else "")
        if self.registration == NOT_YET_OPEN:
            return _("Registration opens on %(date)s.") % {"date": when}
        if self.registration == OPEN:
            if moment is None:
                return _("Registration is open.")
            return _("Registration closes on %(date)s.") % {"date": when}
        if self.registration == WINDOW_CLOSED:
            return _("Registration closed on %(date)s.") % {"date": when}
        if self.registration == PAUSED:
            return _("Registration is closed for now.")
        return _("Registration closed when the event ended.")

    def _dates(self) -> str:
        return timezones.format_date_range(self.first_date, self.last_date)


def day_spans(event, days, sessions) -> list[DaySpan]:
    """When each day runs (see the module docstring), in date order."""
    bounds: dict[int, list[datetime]] = {}
    for session in sessions:
        low, high = bounds.get(session.day_id, (session.start, session.end))
        bounds[session.day_id] = [min(low, session.start), max(high, session.end)]
    spans = []
    for day in sorted(days, key=lambda d: d.date):
        if day.pk in bounds:
            start, end = bounds[day.pk]
        else:
            # In UTC: aware datetimes sharing one zone compare and subtract by
            # wall clock, which is wrong across a change to or from summer time.
            start, end = (moment.astimezone(UTC)
                          for moment in timezones.day_bounds(day.date, event.reference_zone))
        spans.append(DaySpan(day=day, start=start, end=end))
    return spans


def derive(event, days, sessions, now: datetime) -> EventLife:
    """Where ``event`` stands at ``now``, given its days and its sessions that are not cancelled.

    Pure: it reads nothing from the database, so any caller that already has
    the programme can ask, and tests can try any moment.
    """
    sessions = sorted(sessions, key=lambda s: (s.start, s.track, s.pk or 0))
    spans = day_spans(event, days, sessions)
    if spans and now >= max(span.end for span in spans):  # after the last day's end
        phase = PAST
    elif any(span.start <= now < span.end for span in spans):
        phase = LIVE
    else:
        phase = UPCOMING

    if phase == PAST:
        registration = EVENT_OVER
    elif not event.registration_open:
        registration = PAUSED
    elif event.registration_opens_at and now < event.registration_opens_at:
        registration = NOT_YET_OPEN
    elif event.registration_closes_at and now >= event.registration_closes_at:
        registration = WINDOW_CLOSED
    else:
        registration = OPEN

    running = [s for s in sessions if s.start <= now < s.end] if phase == LIVE else []
    later = [s for s in sessions if s.start > now and not s.is_break]
    next_sessions = [s for s in later if s.start == later[0].start] if later else []

    moments = [event.registration_opens_at, event.registration_closes_at]
    moments += [moment for span in spans for moment in (span.start, span.end)]
    moments += [moment for s in sessions for moment in (s.start, s.end)]
    future = [moment for moment in moments if moment is not None and moment > now]
    return EventLife(
        event=event,
        now=now,
        phase=phase,
        registration=registration,
        spans=spans,
        sessions=sessions,
        running=running,
        next_sessions=next_sessions,
        next_boundary=min(future) if future else None,
    )


def soonest_boundary(lives) -> datetime | None:
    """The first moment at which any of these events changes state (for a page showing several)."""
    moments = [life.next_boundary for life in lives if life.next_boundary is not None]
    return min(moments) if moments else None
