"""Every date, weekday, date range, clock time and zone name the site prints.

One module, CLDR data through Babel, in the active language (pages, emails in
the registrant's language, calendar texts):

============  ===========================  =====================  ========================
              English (British)            Japanese               Vietnamese
============  ===========================  =====================  ========================
date          12 January 2024              2024年1月12日            12 tháng 1, 2024
weekday date  Wednesday 9 March 2022       2022年3月9日(水)          Thứ Tư, 9 tháng 3, 2022
date range    9–10 March 2022              2022年3月9日〜10日        9 – 10 tháng 3, 2022
clock range   20:00–22:10                  20:00〜22:10            20:00–22:10
zone heading  New York (EST)               ニューヨーク（EST）       New York (EST)
day shift     +1 day                       翌日                    +1 ngày
============  ===========================  =====================  ========================

Two deliberate departures from raw CLDR, both documented where they happen:
British English writes no comma after the weekday (CLDR's en_GB full date
has one), and Japanese ranges use the wave dash 〜 (U+301C) of Japanese
typesetting where CLDR stores the full-width tilde ～ (U+FF5E). Joins of
several pieces are translatable format strings (see :mod:`agenda.labels`).

Imports no app module.
"""

import functools
import re
from datetime import date, datetime

import babel
from babel import dates as babel_dates
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import ngettext, pgettext

from agenda.labels import fill

# Babel locale of each site language: our English is British, like our spelling.
BABEL_LOCALES = {"en": "en_GB", "ja": "ja", "vi": "vi"}
DEFAULT_LOCALE = "en_GB"

_FULLWIDTH_TILDE, _WAVE_DASH = "\uff5e", "\u301c"
# A month written with abbreviated letters (MMM, not MMMM or M) in a CLDR pattern.
_SHORT_MONTH = re.compile(r"(?<!M)MMM(?!M)")


@functools.cache
def _babel_locale(name: str) -> babel.Locale:
    return babel.Locale.parse(name)


def locale(language: str | None = None) -> babel.Locale:
    """The Babel locale of ``language`` (default: the active language)."""
    language = (language or translation.get_language() or "en").lower()
    name = BABEL_LOCALES.get(language) or BABEL_LOCALES.get(language.split("-")[0])
    return _babel_locale(name or DEFAULT_LOCALE)


def _typeset(text: str, loc: babel.Locale) -> str:
    if loc.language == "ja":
        return text.replace(_FULLWIDTH_TILDE, _WAVE_DASH)
    return text


@functools.cache
def _weekday_date_pattern(loc: babel.Locale) -> str:
    if loc.language == "ja":
        # CLDR's yMMMEd, 2022年3月9日(水): the short weekday in brackets, as
        # Japanese programmes write it (the full date says 水曜日 after the day).
        return loc.datetime_skeletons["yMMMEd"].pattern
    pattern = loc.date_formats["full"].pattern
    if loc.territory == "GB":
        # British style (GOV.UK, our own copy): "Wednesday 9 March 2022".
        pattern = pattern.replace("EEEE, ", "EEEE ")
    return pattern


def format_date(value: date, language: str | None = None) -> str:
    """``12 January 2024`` / ``2024年1月12日`` / ``12 tháng 1, 2024`` (CLDR long date)."""
    return babel_dates.format_date(value, "long", locale=locale(language))


def format_day(value: date, language: str | None = None) -> str:
    """The date with its weekday: ``Wednesday 9 March 2022`` / ``2022年3月9日(水)``."""
    loc = locale(language)
    return babel_dates.format_date(value, _weekday_date_pattern(loc), locale=loc)


def format_date_range(first: date, last: date, language: str | None = None) -> str:
    """``9–10 March 2022`` / ``2022年3月9日〜10日``: CLDR's interval, month in full.

    A single day is just that date. The parts the two dates share (month,
    year) are written once, as CLDR's interval formats say for the language.
    """
    if first == last:
        return format_date(first, language)
    if last < first:
        first, last = last, first
    loc = locale(language)
    patterns = loc.interval_formats["yMMMd"]
    if first.year != last.year:
        start_pattern, end_pattern = patterns["y"]
    elif first.month != last.month:
        start_pattern, end_pattern = patterns["M"]
    else:
        start_pattern, end_pattern = patterns["d"]
    # CLDR has no yMMMMd interval; ICU widens the month field the same way.
    text = babel_dates.format_date(first, _SHORT_MONTH.sub("MMMM", start_pattern), locale=loc)
    text += babel_dates.format_date(last, _SHORT_MONTH.sub("MMMM", end_pattern), locale=loc)
    return _typeset(text, loc)


def format_clock(moment: datetime, language: str | None = None) -> str:
    """A wall-clock time as the language writes it (CLDR short time): ``07:10``, ``7:10``."""
    return babel_dates.format_time(moment, "short", locale=locale(language))


def clock_range(start: datetime, end: datetime, *, html: bool = False) -> str:
    """``20:00–22:10`` (``20:00〜22:10`` in Japanese); ``<time>`` elements with ``html``."""
    template = pgettext("a range of clock times", "%(start)s–%(end)s")
    if not html:
        return template % {"start": format_clock(start), "end": format_clock(end)}
    return fill(template, html=True, start=time_html(start, format_clock(start)),
                end=time_html(end, format_clock(end)))


def time_html(moment: datetime, text: str) -> str:
    """``<time datetime="2022-03-09T20:00:00-05:00">20:00</time>``."""
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), text)


def date_html(value: date, text: str) -> str:
    """``<time datetime="2022-03-09">…</time>``."""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)


def day_shift_label(days: int) -> str:
    """``+1 day`` / ``翌日`` / ``+1 ngày``: how far a local date is from the programme day.

    Exactly one day has its own string, because Japanese says "the next
    day" (翌日) rather than counting; other shifts are counted with plurals.
    """
    if days == 0:
        return ""
    if days == 1:
        return pgettext("the local date is the day after the programme day", "+1 day")
    if days == -1:
        return pgettext("the local date is the day before the programme day", "−1 day")
    if days > 0:
        return ngettext("+%(days)s day", "+%(days)s days", days) % {"days": days}
    return ngettext("−%(days)s day", "−%(days)s days", -days) % {"days": -days}


# Old IANA areas named after a country, not a place: US/Eastern is New York.
_LEGACY_AREAS = {"US", "Canada"}


@functools.cache
def _cldr_zone_ids(zone_name: str) -> tuple[str, ...]:
    # CLDR files a zone under its old ID when the IANA name changed (Asia/Saigon
    # for Asia/Ho_Chi_Minh, Asia/Calcutta for Asia/Kolkata); Babel's alias table
    # only maps the other way, so both are tried.
    aliases = babel.core.get_global("zone_aliases")
    canonical = aliases.get(zone_name, zone_name)
    older = sorted(alias for alias, target in aliases.items() if target == canonical)
    return tuple(dict.fromkeys([zone_name, canonical, *older]))


def exemplar_city(zone_name: str, language: str | None = None) -> str:
    """The zone's city in the reader's language (CLDR): ``ニューヨーク``, ``Tokyo``.

    A zone for which CLDR gives no city (as English does when the city is
    the IANA name itself) is named after the last part of its IANA name.
    """
    zones = locale(language).time_zones
    zone_ids = _cldr_zone_ids(zone_name)
    for zone_id in zone_ids:
        city = zones.get(zone_id, {}).get("city")
        if city:
            return city
    named = zone_name
    if zone_name.split("/", 1)[0] in _LEGACY_AREAS:
        named = babel.core.get_global("zone_aliases").get(zone_name, zone_name)
    return named.rsplit("/", 1)[-1].replace("_", " ")


def zone_heading(zone_name: str, abbreviation: str) -> str:
    """``New York (EST)`` / ``ニューヨーク（EST）``: a column or row heading for a zone."""
    return pgettext("a time zone: its city and abbreviation", "%(city)s (%(abbreviation)s)") % {
        "city": exemplar_city(zone_name), "abbreviation": abbreviation}


def date_and_times(date_text: str, times_text: str, *, html: bool = False) -> str:
    """``Wednesday 9 March 2022, 20:00–22:10 EST``: a date with a time range on it."""
    return fill(pgettext("a date and a time range on it", "%(date)s, %(times)s"),
                html=html, date=date_text, times=times_text)


def day_and_date(day_label: str, date_text: str, *, html: bool = False) -> str:
    """``Day 1: Wednesday 9 March 2022`` / ``1日目：2022年3月9日(水)``."""
    return fill(pgettext("a programme day and its date", "%(day)s: %(date)s"),
                html=html, day=day_label, date=date_text)
