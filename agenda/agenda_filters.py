"""What the agenda page shows: the whole programme, one day of a big one, or filtered sessions.

A programme of at most ``programme.BIG_PROGRAMME_SESSIONS`` sessions is one
page, as it always was; its day addresses (``…/agenda/day-2/``) lead to that
day on the page. A bigger one is shown a day at a time: ``…/agenda/`` opens on
the day in progress (or the next one, or Day 1: ``programme.default_day``),
``…/agenda/day-<n>/`` is day n, and a day navigation links them all.

Filters (track, kind of session, speaker, language) and the text search
(``q``, agenda/search.py) come in a GET form, offered on big programmes (and
on any agenda a filtered address is opened on, so it can be cleared). With a
filter on, ``…/agenda/`` lists the matching sessions of every day, grouped by
day, up to ``RESULT_LIMIT``; the day navigation then counts the matches of
each day and its links keep the filters, so ``…/agenda/day-<n>/?…`` lists
all of that day's. A filter value the event does not have gets a 400 page
saying so, with the form and the unfiltered programme.

Every page runs a fixed number of queries, whatever the number of sessions.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import get_language, gettext
from modeltranslation.utils import build_localized_fieldname

from agenda import event_life, programme, search
from agenda.forms import AgendaFilterForm, FilterChoices
from agenda.models import Day, Event, Session, SessionSpeaker, Speaker
from forum_site.languages import local_name

#: The filters' query parameters, then the search's.
FILTERS = ("track", "kind", "speaker", "language")
SEARCH = "q"
#: Matching sessions listed at once across days; each day's page lists all of its own.
RESULT_LIMIT = 100


class UnknownDay(Exception):
    """The address names a day the event does not have."""

    def __init__(self, number: int, days: list[Day]):
        self.number = number
        self.days = days
        super().__init__(number)

    @property
    def message(self) -> str:
        """What the 404 page says, in the active language."""
        if not self.days:
            return gettext("This event has no programme days yet.")
        return gettext(
            "This event has no day %(number)s: its programme runs from day %(first)s to "
            "day %(last)s."
        ) % {"number": self.number, "first": self.days[0].number, "last": self.days[-1].number}


@dataclass
class DayLink:
    """One entry of the day navigation."""

    day: Day
    url: str
    is_current: bool
    matches: int | None = None  # with filters on: the day's matching sessions


@dataclass
class AgendaPage:
    """Everything the agenda template needs beyond the event and its zones."""

    days: list[programme.DayProgramme] = field(default_factory=list)
    is_big: bool = False
    form: AgendaFilterForm | None = None
    day_links: list[DayLink] = field(default_factory=list)
    all_days_url: str = ""
    current_day: Day | None = None  # the one day shown, if so
    is_filtered: bool = False  # valid filters or a search narrow what is shown
    match_count: int = 0  # on the day shown, or on every day
    all_days_match_count: int = 0
    status: int = 200
    redirect_url: str = ""  # a small programme's day address: its place on the one page
    # The filters and search in use, as (name, value): kept when the zone changes.
    kept_filters: list[tuple[str, str]] = field(default_factory=list)

    @property
    def shown_count(self) -> int:
        return sum(len(slot.sessions) for entry in self.days for slot in entry.slots)

    @property
    def is_truncated(self) -> bool:
        return self.shown_count < self.match_count

    @property
    def shows_now(self) -> bool:
        """Whether the slot running now (or next) is on this page, for "Jump to now"."""
        return any(slot.is_anchor for entry in self.days for slot in entry.slots)


def _codes() -> list[str]:
    return [code for code, _label in settings.LANGUAGES]


def _in_language(values: dict[str, str], name: str) -> str:
    """The translation of ``name`` in the active language, else English (as pages show it)."""
    language = get_language() or settings.LANGUAGE_CODE
    return (values.get(build_localized_fieldname(name, language))
            or values.get(build_localized_fieldname(name, "en")) or "")


def _natural(text: str) -> list:
    """A sort key that puts "Track 2" before "Track 10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, search.normalise(part))
            for part in re.split(r"(\d+)", text)]


def load_choices(event: Event) -> FilterChoices:
    """What the filters offer: the tracks, kinds, speakers and languages of the event (two queries).

    Tracks are told apart by their English name (the one every translation
    falls back to), kinds by their code, speakers by their slug, languages by
    their code; each is labelled in the page's language. Tracks come in the
    order of their English names, speakers in the order of their names on the
    page, numbers counted ("Track 2" before "Track 10").
    """
    track_fields = search.localised_fields(["track"])
    # Whether each session has a title in each language: a few distinct rows,
    # not one per session.
    has_title = {
        f"has_{code}": Case(When(Q(**{f"{title}__isnull": False}) & ~Q(**{title: ""}),
                                 then=Value(True)), default=Value(False))
        for code, title in zip(_codes(), search.localised_fields(["title"]), strict=True)
    }
    rows = (
        Session.objects.filter(event=event)
        .annotate(**has_title)
        .values_list("kind", *track_fields, *has_title)
        .distinct()
        .order_by()
    )
    kinds, tracks, languages = set(), {}, set()
    codes = _codes()
    for kind, *texts in rows:
        kinds.add(kind)
        track_texts = dict(zip(track_fields, texts[:len(codes)], strict=True))
        if track_texts[build_localized_fieldname("track", "en")]:
            tracks[track_texts[build_localized_fieldname("track", "en")]] = _in_language(
                track_texts, "track")
        languages |= {code for code, title in zip(codes, texts[len(codes):], strict=True)
                      if title}
    name_fields = search.localised_fields(["name"])
    speakers = []
    for slug, *names in (Speaker.objects.filter(session_roles__session__event=event)
                         .values_list("slug", *name_fields).distinct().order_by()):
        speakers.append((slug, _in_language(dict(zip(name_fields, names, strict=True)), "name")))
    speakers.sort(key=lambda speaker: (_natural(speaker[1]), speaker[0]))
    return FilterChoices(
        tracks=sorted(tracks.items(), key=lambda item: _natural(item[0])),
        kinds=[(value, label) for value, label in Session.Kind.choices if value in kinds],
        speakers=speakers,
        languages=[(code, local_name(code)) for code in codes if code in languages],
    )


def matching_sessions(event: Event, cleaned: dict) -> list[tuple[int, int]]:
    """``(pk, day_id)`` of the sessions that pass the filters and search, in programme order.

    One query: the search runs in it on PostgreSQL, in Python on its rows
    elsewhere (agenda/search.py).
    """
    sessions = Session.objects.filter(event=event)
    if cleaned.get("track"):
        sessions = sessions.filter(**{build_localized_fieldname("track", "en"): cleaned["track"]})
    if cleaned.get("kind"):
        sessions = sessions.filter(kind=cleaned["kind"])
    if cleaned.get("speaker"):
        sessions = sessions.filter(pk__in=SessionSpeaker.objects.filter(
            speaker__slug=cleaned["speaker"]).values("session_id"))
    if cleaned.get("language"):
        title = build_localized_fieldname("title", cleaned["language"])
        sessions = sessions.filter(Q(**{f"{title}__isnull": False}) & ~Q(**{title: ""}))
    sessions = sessions.order_by("start", "track", "id")
    query = cleaned.get("q", "")
    if not search.terms(query):
        return list(sessions.values_list("pk", "day_id"))
    if search.uses_database_search():
        return list(search.database_filter(sessions, query).values_list("pk", "day_id"))
    return search.python_matches(search.python_rows(sessions), query)


def _filter_pairs(cleaned: dict) -> list[tuple[str, str]]:
    return [(name, cleaned[name]) for name in (*FILTERS, SEARCH) if cleaned.get(name)]


def _filter_query(cleaned: dict) -> str:
    """``?track=…&q=…``: the filters in use, for links that keep them ("" when none)."""
    pairs = _filter_pairs(cleaned)
    return "?" + urlencode(pairs) if pairs else ""


def _day_url(event: Event, day: Day) -> str:
    return reverse("agenda:agenda_day", kwargs={"event": event.slug, "day": day.number})


def agenda_page(event: Event, loaded: programme.LoadedProgramme, life: event_life.EventLife,
                viewer_zone: str | None, query, day_number: int | None = None) -> AgendaPage:
    """The agenda of ``event`` for the request's ``query`` (GET) and day address, if any.

    ``loaded``: its days and sessions, read once for the page (``life`` comes
    from them too). Raises :class:`UnknownDay` for a day the event does not have.
    """
    zones = programme.zones_for(event, viewer_zone)
    days = loaded.days
    day = None
    if day_number is not None:
        day = next((d for d in days if d.number == day_number), None)
        if day is None:
            raise UnknownDay(day_number, days)
    asked = any(query.get(name, "").strip() for name in (*FILTERS, SEARCH))
    big = programme.is_big_programme(life)

    if not big and not asked:
        if day is not None:  # a small programme's day: its place on the one page
            kept = query.urlencode()
            agenda_url = reverse("agenda:agenda", kwargs={"event": event.slug})
            return AgendaPage(redirect_url=f"{agenda_url}{'?' + kept if kept else ''}"
                                           f"#day-{day.number}")
        return _whole_programme(loaded, zones, viewer_zone)

    form = AgendaFilterForm(query if asked else None, choices=load_choices(event))
    if asked and form.is_valid():
        page = _matches(event, loaded, day, form.cleaned_data, zones, viewer_zone)
    elif big:
        page = _one_day(event, loaded, day or _default_day(days, life), zones, viewer_zone)
    else:
        page = _whole_programme(loaded, zones, viewer_zone)
    page.form = form
    page.is_big = big
    if asked and not form.is_valid():  # a value the event does not have: said over the rest
        page.status = 400
    return page


def _whole_programme(loaded, zones, viewer_zone) -> AgendaPage:
    return AgendaPage(days=programme.group_into_days(
        loaded.days, loaded.sessions, zones, viewer_zone))


def _default_day(days: list[Day], life: event_life.EventLife) -> Day | None:
    first = programme.default_day(life)
    return next((day for day in days if first is not None and day.pk == first.pk), None)


def _one_day(event, loaded, day, zones, viewer_zone) -> AgendaPage:
    """A big programme's day (None: the event has no days), with links to every day."""
    page = AgendaPage(current_day=day,
                      day_links=[DayLink(d, _day_url(event, d), d == day) for d in loaded.days],
                      all_days_url=reverse("agenda:agenda", kwargs={"event": event.slug}))
    if day is not None:
        page.days = programme.group_into_days(
            [day], loaded.sessions_of(day), zones, viewer_zone)
    return page


def _matches(event, loaded, day, cleaned, zones, viewer_zone) -> AgendaPage:
    """The sessions that match, of ``day`` or of every day, with each day's count."""
    keep = _filter_query(cleaned)
    matches = matching_sessions(event, cleaned)
    per_day = Counter(day_id for _pk, day_id in matches)
    if day is not None:
        pks = [pk for pk, day_id in matches if day_id == day.pk]
        shown_days = [day]
    else:
        pks = [pk for pk, _day_id in matches][:RESULT_LIMIT]
        shown_days = loaded.days
    shown = set(pks)
    sessions = programme.with_speakers([s for s in loaded.sessions if s.pk in shown])
    grouped = programme.group_into_days(shown_days, sessions, zones, viewer_zone)
    return AgendaPage(
        days=[entry for entry in grouped if entry.slots],
        is_filtered=True,
        kept_filters=_filter_pairs(cleaned),
        current_day=day,
        match_count=per_day[day.pk] if day is not None else len(matches),
        all_days_match_count=len(matches),
        all_days_url=reverse("agenda:agenda", kwargs={"event": event.slug}) + keep,
        day_links=[DayLink(d, _day_url(event, d) + keep, d == day, per_day[d.pk])
                   for d in loaded.days],
    )
