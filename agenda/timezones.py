"""Every time-zone conversion of the site: one module, ``zoneinfo`` only.

Labels and offsets are always computed for the instant being shown (EST on
9 March 2022, EDT after 13 March), never taken from a fixed offset. pytz only
supplies the list of zones a viewer picks from.

:class:`TimeRange` is *the* model of "a time range in the event's zones and
the visitor's": pages, emails, the public changelog and the registration
pages all print the ranges :func:`time_ranges` gives, in the words of
:mod:`agenda.dates` (CLDR, the active language). Imports no app module.
"""

import functools
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import babel
import babel.dates
import pytz
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import pgettext

from agenda import dates, labels

# Longest IANA name is well under this; anything longer is garbage.
MAX_ZONE_NAME_LENGTH = 64


@functools.cache
def _known_zones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


def is_valid_zone(name) -> bool:
    """Whether ``name`` is an IANA zone name this machine can convert to."""
    return isinstance(name, str) and len(name) <= MAX_ZONE_NAME_LENGTH and name in _known_zones()


def get_zone(name: str) -> zoneinfo.ZoneInfo:
    """The ZoneInfo for a name already checked with :func:`is_valid_zone`."""
    return zoneinfo.ZoneInfo(name)


def parse_zone_list(text: str) -> list[str]:
    """Split a comma-separated list of zone names, keeping order, dropping repeats."""
    names = []
    for part in (text or "").split(","):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names


def day_bounds(day: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """Start of ``day`` and start of the next day, as aware datetimes in ``zone``."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def format_offset(offset: timedelta) -> str:
    """``UTC+9``, ``UTC−5``, ``UTC+5:30`` (with a real minus sign)."""
    total_minutes = int(offset.total_seconds() // 60)
    sign = "+" if total_minutes >= 0 else "−"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def zone_abbreviation(moment: datetime) -> str:
    """The zone's own abbreviation at that instant (EST, JST, CET) or else the offset.

    Many zones have no letters in the tz database, only "+07"; for those the
    readable ``UTC+7`` is used instead.
    """
    name = moment.tzname() or ""
    if not name or name[0] in "+-":
        return format_offset(moment.utcoffset())
    return name


@dataclass(frozen=True)
class LocalTime:
    """One instant as seen in one zone, ready to print."""

    zone_name: str
    moment: datetime
    abbreviation: str
    offset: str
    day_shift: int

    @property
    def clock(self) -> str:
        """``20:00`` as the active language writes a time of day."""
        return dates.format_clock(self.moment)

    @property
    def iso(self) -> str:
        return self.moment.isoformat()

    @property
    def date(self) -> date:
        return self.moment.date()

    @property
    def day_shift_label(self) -> str:
        return dates.day_shift_label(self.day_shift)

    @property
    def day_shift_note(self) -> str:
        """``(Thursday 10 March 2022, +1 day)`` / ``（2022年3月10日(木)、翌日）``, or empty."""
        if not self.day_shift:
            return ""
        return pgettext("the local date and its shift from the programme day",
                        "(%(date)s, %(shift)s)") % {
            "date": dates.format_day(self.date), "shift": self.day_shift_label}


def localise(instant: datetime, zone_name: str, reference_date: date | None = None) -> LocalTime:
    """Show ``instant`` in ``zone_name``.

    ``reference_date`` is the programme day's date: when the local date
    differs from it, ``day_shift`` says by how many days (+1 in Tokyo for the
    forum's evening sessions in New York).
    """
    moment = instant.astimezone(get_zone(zone_name))
    shift = (moment.date() - reference_date).days if reference_date else 0
    return LocalTime(
        zone_name=zone_name,
        moment=moment,
        abbreviation=zone_abbreviation(moment),
        offset=format_offset(moment.utcoffset()),
        day_shift=shift,
    )


def zone_heading(zone_name: str, instant: datetime) -> str:
    """A column heading: ``New York (EST)`` at that instant, ``ニューヨーク（EST）`` in Japanese."""
    moment = instant.astimezone(get_zone(zone_name))
    return dates.zone_heading(zone_name, zone_abbreviation(moment))


def city_and_abbreviation(zone_name: str, instant: datetime) -> str:
    """``Paris (CET)`` at that instant, as :func:`zone_heading`; plain ``UTC`` for UTC itself."""
    city = dates.exemplar_city(zone_name)
    abbreviation = zone_abbreviation(instant.astimezone(get_zone(zone_name)))
    return city if city == abbreviation else dates.zone_heading(zone_name, abbreviation)


@dataclass(frozen=True)
class TimeRange:
    """A start and end as seen in one zone: how every page, email and changelog prints a time.

    ``start.day_shift`` says how far the local date is from the programme
    day (``+1 day`` in Tokyo for the forum's evening sessions in New York)
    when the range was made with one.
    """

    start: LocalTime
    end: LocalTime
    is_viewer_zone: bool = False

    @property
    def zone_name(self) -> str:
        return self.start.zone_name

    @property
    def abbreviation(self) -> str:
        return self.start.abbreviation

    @property
    def offset(self) -> str:
        return self.start.offset

    @property
    def city(self) -> str:
        """``New York`` / ``ニューヨーク``: the zone's city in the active language."""
        return dates.exemplar_city(self.zone_name)

    @property
    def heading(self) -> str:
        """``New York (EST)`` / ``ニューヨーク（EST）``."""
        return dates.zone_heading(self.zone_name, self.abbreviation)

    @property
    def date(self) -> date:
        """The local date of the start."""
        return self.start.date

    @property
    def date_text(self) -> str:
        """``Thursday 10 March 2022``: the local date with its weekday."""
        return dates.format_day(self.date)

    @property
    def date_html(self):
        return dates.date_html(self.date, self.date_text)

    @property
    def clocks(self) -> str:
        """``20:00–22:10``."""
        return dates.clock_range(self.start.moment, self.end.moment)

    @property
    def clocks_html(self):
        return dates.clock_range(self.start.moment, self.end.moment, html=True)

    @property
    def text(self) -> str:
        """``20:00–22:10 EST``."""
        return f"{self.clocks} {self.abbreviation}"

    @property
    def text_html(self):
        """The same, with ``<time>`` elements and the zone's name and offset on the abbreviation."""
        return format_html('{} <abbr class="zone" title="{} ({})">{}</abbr>', self.clocks_html,
                           self.zone_name, self.offset, self.abbreviation)

    @property
    def dated_text(self) -> str:
        """``Wednesday 9 March 2022, 20:00–22:10 EST``: for lists where each time has its date."""
        return dates.date_and_times(self.date_text, self.text)

    @property
    def dated_html(self):
        times = format_html('<span class="time-range">{}</span>', self.text_html)
        return dates.date_and_times(self.date_html, times, html=True)

    @property
    def day_shift(self) -> int:
        return self.start.day_shift

    @property
    def day_shift_label(self) -> str:
        """``+1 day`` / ``翌日``, or empty on the programme day."""
        return self.start.day_shift_label

    @property
    def shifted_text(self) -> str:
        """``10:00–12:10 JST (Thursday 10 March 2022, +1 day)``: the range, dated when shifted."""
        if not self.day_shift:
            return self.text
        return _with_note() % {"times": self.text, "note": self.day_shift_note}

    @property
    def shifted_html(self):
        """The same in HTML, the note in ``<span class="day-shift">``."""
        if not self.day_shift:
            return self.text_html
        note = format_html('<span class="day-shift">{}</span>', self.day_shift_note)
        return labels.fill(_with_note(), html=True, times=self.text_html, note=note)

    @property
    def day_shift_note(self) -> str:
        """The note of the range's start: see :attr:`LocalTime.day_shift_note`."""
        return self.start.day_shift_note


def _with_note() -> str:
    return pgettext("a time range and the note on its local date", "%(times)s %(note)s")


def time_ranges(start: datetime, end: datetime, zones: list[str], day_date: date | None = None,
                viewer_zone: str | None = None) -> list[TimeRange]:
    """``start``–``end`` in every valid zone of ``zones``, in order.

    With ``day_date`` (the programme day, dated in the reference zone) each
    range knows its day shift. ``viewer_zone`` marks the visitor's own zone
    when it is not the first (reference) one. Names that are not zones are
    left out.
    """
    zones = [zone for zone in zones if is_valid_zone(zone)]
    return [
        TimeRange(
            start=localise(start, zone, day_date),
            end=localise(end, zone, day_date),
            is_viewer_zone=(zone == viewer_zone and zone != zones[0]),
        )
        for zone in zones
    ]


#: The inline picker's "More time zones…" option. Not a zone name (those
#: start with a capital letter), so a page that receives it as ``?tz=`` knows
#: the visitor asked for the full list rather than a zone.
MORE_ZONES = "more"
#: The region of the zones whose names have no area (GMT, UTC).
OTHER_REGION = "utc"


@dataclass(frozen=True)
class ZoneChoices:
    """The inline picker's zones: the event's own, then the viewer's when it is another.

    Each is ``(IANA name, city in the active language)``; the rest of the
    world is one "More time zones…" choice away (:func:`picker_regions`).
    """

    event: list[tuple[str, str]]
    viewer: tuple[str, str] | None = None
    more: str = MORE_ZONES


def picker_choices(event_zones: list[str], viewer_zone: str | None = None) -> ZoneChoices:
    """What the inline picker offers on an event's pages, labelled in the active language."""
    event = [(name, dates.exemplar_city(name)) for name in event_zones if is_valid_zone(name)]
    viewer = None
    if viewer_zone and is_valid_zone(viewer_zone) and viewer_zone not in dict(event):
        viewer = (viewer_zone, dates.exemplar_city(viewer_zone))
    return ZoneChoices(event=event, viewer=viewer)


@dataclass(frozen=True)
class Region:
    """A part of the world on the full picker: ``europe``, "Europe", and its zones' cities."""

    slug: str
    name: str
    cities: tuple[tuple[str, str], ...]  # (IANA name, city), in the readers' order


def picker_regions() -> tuple[Region, ...]:
    """Every zone a viewer may pick, by region, in the active language.

    The list is ``pytz.common_timezones`` (the names people expect to see),
    limited to zones this machine can convert, grouped by the first part of
    the name (``Europe/Paris`` is in Europe). Regions and cities are sorted
    as the language's readers order them; GMT and UTC, which have no area,
    come last, as a region of their own. Worked out once per language and
    process.
    """
    return _picker_regions(translation.get_language())


def picker_region(slug: str) -> Region | None:
    """The region with that slug (``europe``, ``utc``) in the active language, or None."""
    return next((region for region in picker_regions() if region.slug == slug), None)


def reading_order(label: str) -> str:
    """A sort key close to how readers order names: accents and voicing marks set aside.

    Vietnamese Ấn Độ Dương sorts under A and Đại Tây Dương under D; Japanese
    ガ sorts with カ (gojūon order), which plain code points would not do.
    """
    decomposed = unicodedata.normalize("NFD", label.casefold().replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def region_name(area: str) -> str:
    """The first part of an IANA name (``America``, ``Pacific``) in the active language."""
    names = {
        "Africa": pgettext("time zone region", "Africa"),
        "America": pgettext("time zone region", "America"),
        "Antarctica": pgettext("time zone region", "Antarctica"),
        "Arctic": pgettext("time zone region", "Arctic"),
        "Asia": pgettext("time zone region", "Asia"),
        "Atlantic": pgettext("time zone region", "Atlantic Ocean"),
        "Australia": pgettext("time zone region", "Australia"),
        "Canada": pgettext("time zone region", "Canada"),
        "Europe": pgettext("time zone region", "Europe"),
        "Indian": pgettext("time zone region", "Indian Ocean"),
        "Pacific": pgettext("time zone region", "Pacific Ocean"),
        "US": pgettext("time zone region", "United States"),
    }
    return names.get(area, area)


@functools.lru_cache(maxsize=8)
def _picker_regions(language: str) -> tuple[Region, ...]:
    # Values stay IANA names; labels are CLDR's cities in the page's language.
    areas: dict[str, list[str]] = {}
    for name in pytz.common_timezones:
        if is_valid_zone(name):
            area = name.split("/", 1)[0] if "/" in name else ""
            areas.setdefault(area, []).append(name)

    def region(slug, label, names):
        cities = sorted(((name, dates.exemplar_city(name)) for name in names),
                        key=lambda city: reading_order(city[1]))
        return Region(slug=slug, name=label, cities=tuple(cities))

    regions = sorted((region(area.lower(), region_name(area), names)
                      for area, names in areas.items() if area),
                     key=lambda found: reading_order(found.name))
    if "" in areas:
        regions.append(region(OTHER_REGION, pgettext("time zone region", "UTC and GMT"),
                              areas[""]))
    return tuple(regions)


@dataclass(frozen=True)
class ViewerZone:
    """The viewer's chosen zone (or none), and whether what they asked for was rejected."""

    name: str | None
    rejected: str | None = None


VIEWER_ZONE_COOKIE = "tz"


def viewer_zone_from_request(request) -> ViewerZone:
    """Read the viewer's zone from ``?tz=`` (wins) or the remembered cookie.

    An unknown or garbage value is never converted: it is reported back so the
    page can say it was ignored, and the event's zones are shown alone.
    """
    if "tz" in request.GET:
        raw = request.GET.get("tz", "").strip()
    else:
        raw = request.COOKIES.get(VIEWER_ZONE_COOKIE, "").strip()
    if not raw:
        return ViewerZone(None)
    if is_valid_zone(raw):
        return ViewerZone(raw)
    return ViewerZone(None, rejected=raw[:MAX_ZONE_NAME_LENGTH])


# Dates in the page's language (CLDR data, through Babel) ----------------------

# British English, like the site's spelling: "9 March 2022", never "March 9, 2022".
_CLDR_LOCALES = {"en": "en_GB", "ja": "ja", "vi": "vi"}
_SHORT_MONTH = re.compile(r"(?<!M)MMM(?!M)")


def cldr_locale(language: str | None = None) -> babel.Locale:
    """The CLDR locale of a site language (default: the active one)."""
    code = (language or translation.get_language() or "en").split("-")[0]
    return babel.Locale.parse(_CLDR_LOCALES.get(code, "en_GB"))


def format_date(day: date, language: str | None = None) -> str:
    """``9 March 2022``, ``2022年3月9日``, ``9 tháng 3, 2022``."""
    return babel.dates.format_date(day, "long", locale=cldr_locale(language))


def format_date_range(first: date, last: date, language: str | None = None) -> str:
    """``9–10 March 2022``, ``2022年3月9日～10日``, ``9 – 10 tháng 3, 2022``.

    CLDR's interval patterns, with the month written out in full as in
    :func:`format_date` (CLDR only lists the abbreviated-month pattern; ICU
    widens it the same way). One date when ``first`` is ``last``.
    """
    if first == last:
        return format_date(first, language)
    locale = cldr_locale(language)
    if first.year != last.year:
        field = "y"
    elif first.month != last.month:
        field = "M"
    else:
        field = "d"
    parts = locale.interval_formats["yMMMd"][field]
    return "".join(
        babel.dates.parse_pattern(_SHORT_MONTH.sub("MMMM", pattern)).apply(day, locale)
        for pattern, day in zip(parts, (first, last), strict=True)
    )
