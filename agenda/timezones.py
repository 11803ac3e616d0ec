"""Every time-zone conversion of the site: one module, ``zoneinfo`` only.

Labels and offsets are always computed for the instant being shown (EST on
9 March 2022, EDT after 13 March), never taken from a fixed offset. pytz only
supplies the list of zones a viewer picks from.
"""

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import babel
import babel.dates
import pytz
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def city_name(zone_name: str) -> str:
    """``America/New_York`` → ``New York``; ``UTC`` stays ``UTC``."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


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
        return self.moment.strftime("%H:%M")

    @property
    def iso(self) -> str:
        return self.moment.isoformat()

    @property
    def day_shift_label(self) -> str:
        if self.day_shift == 0:
            return ""
        if self.day_shift > 0:
            return ngettext("+%(days)s day", "+%(days)s days", self.day_shift) % {
                "days": self.day_shift
            }
        return ngettext("−%(days)s day", "−%(days)s days", -self.day_shift) % {
            "days": -self.day_shift
        }


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
    """A column heading: ``New York (EST)`` at that instant."""
    moment = instant.astimezone(get_zone(zone_name))
    return f"{city_name(zone_name)} ({zone_abbreviation(moment)})"


def picker_choices(first: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones a viewer may pick, grouped by region, ``first`` as the first group.

    The list is ``pytz.common_timezones`` (the names people expect to see),
    limited to zones this machine can convert. It is the same for every page
    of an event in one language, so it is worked out once per process.
    """
    return _picker_choices(tuple(first), translation.get_language())


@functools.lru_cache(maxsize=32)
def _picker_choices(first: tuple[str, ...], language: str):
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in pytz.common_timezones:
        if not is_valid_zone(name) or name in first:
            continue
        region = name.split("/", 1)[0] if "/" in name else _("Other")
        groups.setdefault(region, []).append((name, name.replace("_", " ")))
    event_group = [(name, name.replace("_", " ")) for name in first if is_valid_zone(name)]
    return [(_("Event time zones"), event_group)] + sorted(groups.items())


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
