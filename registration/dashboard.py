"""The figures of an event's organiser dashboard, as plain data.

Every function here runs a fixed number of aggregate queries, whatever the
number of registrations or sessions; the admin view (registration/admin.py)
draws them (registration/charts.py) and the CSV download writes the same
tables.

Who counts where:

* *registrants* in the breakdowns (country, sector, email language, listening
  channel) are the registrations that hold or wait for an event seat:
  confirmed and waitlisted. Pending ones have not proved their address yet;
  cancelled ones are no longer coming.
* Erased registrations keep their sector, country, language and channel
  (``services.erase`` wipes only what names a person), so they count like any
  other registration. Erasing cancels first, so in practice they appear in the
  status totals (as cancelled and as erased) and in the timeline, never in the
  breakdowns.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from agenda.models import Session
from registration import charts
from registration.models import Registration, Sector, SessionChoice

Status = Registration.Status


@dataclass
class Totals:
    """Registrations of the event by status, and the event's capacity (None: no limit)."""

    capacity: int | None
    pending: int
    confirmed: int
    waitlisted: int
    cancelled: int
    erased: int

    @property
    def total(self):
        return self.pending + self.confirmed + self.waitlisted + self.cancelled


@dataclass
class DayCounts:
    """What happened to registrations on one day (dated in the event's reference zone)."""

    day: date
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0


@dataclass
class Fill:
    """Seats of the event or of one parallel session: taken, waiting, capacity."""

    label: str
    capacity: int | None
    taken: int
    waiting: int

    @property
    def free(self):
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


@dataclass
class Group:
    """Registrants sharing one value (a country, a sector…), by status."""

    key: str
    label: str
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def total(self):
        return self.confirmed + self.waitlisted


@dataclass
class Breakdowns:
    countries: list[Group]
    sectors: list[Group]
    languages: list[Group]
    channels: list[Group] | None  # None when the event has no interpretation


def totals(event) -> Totals:
    """Registrations of ``event`` by status, in one query."""
    counts = Registration.objects.filter(event=event).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        erased=Count("pk", filter=Q(erased_at__isnull=False)),
    )
    return Totals(capacity=event.capacity, **counts)


def timeline(event) -> list[DayCounts]:
    """Per day, from the first day anything happened to the last, in three queries.

    Days are the event's reference-zone days (the organisers' calendar).
    Each registration keeps the latest time of each step, and a day counts:

    * *confirmed*: registrations given an event seat that day
      (``confirmed_at``): at confirmation of the address, or later when
      promoted from the waiting list. A seat given and later cancelled still
      counts on the day it was given.
    * *waitlisted*: registrations that confirmed their address that day
      (``seat_requested_at``) and were still without a seat at the end of that
      day (no ``confirmed_at``, or one on a later day). Someone who waited a
      few hours and got a seat the same day counts only as confirmed.
    * *cancelled*: registrations cancelled that day (``cancelled_at``), by the
      person, by an organiser, or by erasure of their data.

    Days without any of these are included with zeros, so the series has no
    gaps; with no registrations at all the list is empty. The model keeps only
    the latest time of each step: someone who cancelled and signed up again
    with the same address starts afresh (``services.register`` clears the
    timestamps), so their first round no longer counts.
    """
    zone = event.reference_zone
    registrations = Registration.objects.filter(event=event).order_by()
    confirmed = (
        registrations.filter(confirmed_at__isnull=False)
        .annotate(day=TruncDate("confirmed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
    )
    waitlisted = (
        registrations.filter(seat_requested_at__isnull=False)
        .annotate(
            day=TruncDate("seat_requested_at", tzinfo=zone),
            seated_day=TruncDate("confirmed_at", tzinfo=zone),
        )
        .filter(Q(confirmed_at__isnull=True) | Q(seated_day__gt=F("day")))
        .values("day")
        .annotate(n=Count("pk"))
    )
    cancelled = (
        registrations.filter(cancelled_at__isnull=False)
        .annotate(day=TruncDate("cancelled_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
    )
    days = {}
    for series, rows in (("confirmed", confirmed), ("waitlisted", waitlisted),
                         ("cancelled", cancelled)):
        for row in rows:
            counts = days.setdefault(row["day"], DayCounts(row["day"]))
            setattr(counts, series, row["n"])
    if not days:
        return []
    first, last = min(days), max(days)
    return [
        days.get(first + timedelta(n), DayCounts(first + timedelta(n)))
        for n in range((last - first).days + 1)
    ]


def session_fill(event) -> list[Fill]:
    """Seats of every parallel session of ``event`` (the ones people choose), in one query.

    *taken*: choices holding a seat in the session; *waiting*: choices of
    confirmed participants queueing for it (choices of people still waiting
    for an event seat do not compete yet, see ``services._allocate``). Other
    sessions are open to everyone with an event seat, so the event's own fill
    (:func:`event_fill`) stands for them. Cancelled sessions are listed, marked.
    """
    sessions = with_seat_counts(
        Session.objects.filter(event=event, kind=Session.Kind.PARALLEL)
    ).order_by("start", "track", "pk")
    fills = []
    for session in sessions:
        label = session.title
        if session.is_cancelled:
            label = _("%(session)s (cancelled)") % {"session": label}
        fills.append(Fill(label, session.capacity, session.taken, session.waiting))
    return fills


def with_seat_counts(sessions):
    """``sessions`` annotated with ``taken`` (confirmed seats) and ``waiting``.

    ``waiting`` counts only people whose place at the event is confirmed: a
    session's queue moves only for them. Each count is a subquery on the
    choices' (session, status) index: grouping the sessions joined to every
    choice took half a second at 100,000 registrations.
    """
    def count(**conditions):
        return Coalesce(Subquery(
            SessionChoice.objects.filter(session=OuterRef("pk"), **conditions)
            .order_by().values("session").annotate(n=Count("pk")).values("n")
        ), 0)

    return sessions.annotate(
        taken=count(status=SessionChoice.Status.CONFIRMED),
        waiting=count(status=SessionChoice.Status.WAITLISTED,
                      registration__status=Status.CONFIRMED),
    )


def event_fill(event, counts: Totals) -> Fill:
    """The event's own seats, from :func:`totals` (no query)."""
    return Fill(
        pgettext("dashboard: the row of the event's own seats", "Whole event"),
        counts.capacity, counts.confirmed, counts.waitlisted,
    )


def breakdowns(event) -> Breakdowns:
    """Confirmed and waitlisted registrants by country, sector, email language, channel.

    One grouped query over every combination, summed here per dimension.
    Groups come largest first, then by label; an empty value (no country, no
    channel chosen) gets a label of its own.
    """
    rows = (
        Registration.objects.filter(event=event, status__in=[Status.CONFIRMED, Status.WAITLISTED])
        .order_by()
        .values("country", "sector", "language", "channel", "status")
        .annotate(n=Count("pk"))
    )
    sector_names = dict(Sector.choices)
    language_names = dict(settings.LANGUAGES)
    labels = {
        "country": lambda code: countries.name(code) if code else _("Not given"),
        "sector": lambda code: str(sector_names.get(code, code)),
        "language": lambda code: str(language_names.get(code, code)),
        "channel": lambda code: (
            str(language_names.get(code, code)) if code else _("No channel chosen")
        ),
    }
    groups = {dimension: {} for dimension in labels}
    for row in rows:
        for dimension, label in labels.items():
            key = row[dimension] or ""
            group = groups[dimension].setdefault(key, Group(key, label(key)))
            if row["status"] == Status.CONFIRMED:
                group.confirmed += row["n"]
            else:
                group.waitlisted += row["n"]

    def ordered(dimension):
        return sorted(groups[dimension].values(), key=lambda g: (-g.total, g.label))

    return Breakdowns(
        countries=ordered("country"),
        sectors=ordered("sector"),
        languages=ordered("language"),
        channels=ordered("channel") if event.has_interpretation else None,
    )


# The page: each section is a chart and a table of the same numbers -----------

# More rows than this make a chart too tall to read; the table keeps them all.
MAX_BARS = 40


@dataclass
class Table:
    """Numbers as rows of cells; the first cell of a row names it. Also the CSV's content."""

    key: str  # names the CSV download: <event>-<key>.csv
    caption: str
    headers: list[str]
    rows: list[list]


@dataclass
class Section:
    heading: str
    table: Table
    chart: str = ""  # inline SVG, empty when there is nothing to draw
    note: str = ""


def _no_limit(capacity):
    return _("no limit") if capacity is None else capacity


def _fill_note(fill: Fill) -> str:
    if fill.capacity is None:
        note = _("%(taken)s taken, no limit") % {"taken": fill.taken}
    else:
        note = _("%(taken)s of %(capacity)s taken") % {
            "taken": fill.taken, "capacity": fill.capacity,
        }
    if fill.waiting:
        note += " · " + _("%(waiting)s waiting") % {"waiting": fill.waiting}
    return note


def _largest(groups):
    """The groups a chart draws (they come largest first), and a note when there are more."""
    if len(groups) <= MAX_BARS:
        return groups, ""
    return groups[:MAX_BARS], _(
        "The chart shows the %(shown)s largest of %(count)s groups; the table lists them all."
    ) % {"shown": MAX_BARS, "count": len(groups)}


def _busiest(fills):
    """The event row and the sessions a chart draws, and a note when there are more.

    With a big programme the chart keeps the sessions needing attention: most
    people waiting, then the largest share of capacity taken, then most seats
    taken; drawn in programme order.
    """
    event_row, sessions = fills[0], fills[1:]
    if len(sessions) < MAX_BARS:
        return fills, ""

    def pressure(item):
        index, fill = item
        share = fill.taken / fill.capacity if fill.capacity else 0
        return (-fill.waiting, -share, -fill.taken, index)

    chosen = sorted(enumerate(sessions), key=pressure)[: MAX_BARS - 1]
    shown = [event_row] + [fill for _index, fill in sorted(chosen, key=lambda item: item[0])]
    return shown, _(
        "The chart shows the %(shown)s busiest of %(count)s sessions (most people waiting, "
        "then fullest); the table lists them all."
    ) % {"shown": MAX_BARS - 1, "count": len(sessions)}


def _group_section(key, heading, first_header, groups, chart_id):
    statuses = charts.series([_("Confirmed"), _("Waitlisted")])
    table = Table(
        key, heading, [first_header, _("Confirmed"), _("Waitlisted"), _("Total")],
        [[g.label, g.confirmed, g.waitlisted, g.total] for g in groups],
    )
    shown, note = _largest(groups)
    chart = ""
    if shown:
        chart = charts.bar_chart(
            chart_id, heading,
            _("Confirmed and waitlisted registrants, largest group first; "
              "the table that follows gives every number."),
            statuses,
            [charts.Bar(g.label, [g.confirmed, g.waitlisted], note=str(g.total)) for g in shown],
        )
    return Section(heading, table, chart, note)


def sections(event) -> list[Section]:
    """Every section of the dashboard page, in order (six queries in all)."""
    counts = totals(event)
    days = timeline(event)
    fills = [event_fill(event, counts), *session_fill(event)]
    groups = breakdowns(event)

    result = [Section(
        _("Registrations by status"),
        Table("totals", _("Registrations by status"), [_("Status"), _("Registrations")], [
            [Status.PENDING.label, counts.pending],
            [Status.CONFIRMED.label, counts.confirmed],
            [Status.WAITLISTED.label, counts.waitlisted],
            [Status.CANCELLED.label, counts.cancelled],
            [_("Total"), counts.total],
            [_("of which personal data erased"), counts.erased],
            [_("Event capacity"), _no_limit(counts.capacity)],
        ]),
    )]

    day_table = Table(
        "timeline", _("Registrations over time"),
        [_("Day"), _("Confirmed"), _("Waitlisted"), _("Cancelled")],
        [[d.day.isoformat(), d.confirmed, d.waitlisted, d.cancelled] for d in days],
    )
    day_chart = ""
    if days:
        day_chart = charts.line_chart(
            "chart-timeline", _("Registrations over time"),
            _("Per day from %(first)s to %(last)s: seats given, people left waiting, "
              "cancellations; the table that follows gives every number.")
            % {"first": days[0].day.isoformat(), "last": days[-1].day.isoformat()},
            charts.series([_("Confirmed"), _("Waitlisted"), _("Cancelled")]),
            [d.day.isoformat() for d in days],
            [[d.confirmed for d in days], [d.waitlisted for d in days],
             [d.cancelled for d in days]],
        )
    result.append(Section(
        _("Registrations over time"), day_table, day_chart,
        _("Days in %(zone)s. Confirmed: seats given that day. Waitlisted: address confirmed "
          "that day, still without a seat at the end of it. Cancelled: cancelled that day.")
        % {"zone": event.reference_timezone},
    ))

    seat_table = Table(
        "seats", _("Seats per session"),
        [_("Session"), _("Seats taken"), _("Waiting"), _("Capacity"), _("Free")],
        [[f.label, f.taken, f.waiting, _no_limit(f.capacity),
          "" if f.free is None else f.free] for f in fills],
    )
    shown, seat_note = _busiest(fills)
    seat_chart = charts.bar_chart(
        "chart-seats", _("Seats per session"),
        _("Seats taken and people waiting for the whole event and for each parallel session; "
          "a vertical line marks the capacity. The table that follows gives every number."),
        charts.series([_("Seats taken"), _("Waiting")]),
        [charts.Bar(f.label, [f.taken, f.waiting], note=_fill_note(f), marker=f.capacity)
         for f in shown],
    )
    result.append(Section(_("Seats per session"), seat_table, seat_chart, seat_note))

    result.append(_group_section(
        "countries", _("Registrants by country"), _("Country"), groups.countries,
        "chart-countries",
    ))
    result.append(_group_section(
        "sectors", _("Registrants by sector"), _("Sector"), groups.sectors,
        "chart-sectors",
    ))
    result.append(_group_section(
        "languages", _("Registrants by email language"), _("Email language"),
        groups.languages, "chart-languages",
    ))
    if groups.channels is not None:
        result.append(_group_section(
            "channels", _("Registrants by listening channel"), _("Listening channel"),
            groups.channels, "chart-channels",
        ))
    return result
