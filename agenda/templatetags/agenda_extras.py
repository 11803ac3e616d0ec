"""Template tags for the programme pages."""

import functools

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from agenda import dates, labels

register = template.Library()


@register.filter
def long_date(value):
    """``12 January 2024`` / ``2024年1月12日`` / ``12 tháng 1, 2024``."""
    return dates.format_date(value) if value else ""


@register.filter
def weekday_date(value):
    """``Wednesday 9 March 2022`` / ``2022年3月9日(水)`` / ``Thứ Tư, 9 tháng 3, 2022``."""
    return dates.format_day(value) if value else ""


@register.simple_tag
def date_element(value, style="long"):
    """A ``<time>`` element for a date, written ``long`` or with its ``weekday``."""
    text = dates.format_day(value) if style == "weekday" else dates.format_date(value)
    return dates.date_html(value, text)


@register.simple_tag
def date_range(first, last):
    """``9–10 March 2022`` / ``2022年3月9日〜10日``."""
    return dates.format_date_range(first, last)


@register.simple_tag
def day_and_date(day, strong=False):
    """``Day 1: Wednesday 9 March 2022`` with the date in a ``<time>`` element."""
    label = format_html("<strong>{}</strong>", day.display_label) if strong else day.display_label
    return dates.day_and_date(label, dates.date_html(day.date, dates.format_day(day.date)),
                              html=True)


@register.simple_tag
def speaker_line(session_speaker, event):
    """``<a>YAMAGUCHI Tsuyoshi</a>, Minister of the Environment, Japan (Speaker)``."""
    url = reverse("agenda:speaker", args=[event.slug, session_speaker.speaker.slug])
    name = format_html('<a href="{}">{}</a>', url, session_speaker.speaker.name)
    return labels.speaker_line(session_speaker, name_html=name, html=True)


@register.simple_tag
def affiliation(speaker):
    """A speaker's position and organisation, joined as the language joins them."""
    return labels.affiliation(speaker)


@register.simple_tag
def organisation_name(organisation, link=False):
    """``Ministry of the Environment, Japan (MOEJ)``, a link to its website with ``link``."""
    return labels.organisation_name(organisation, html=True, link=link)


@register.simple_tag
def organisation_with_role(organisation, role_label):
    """``Ministry of the Environment, Japan (MOEJ) (Organiser)`` / ``環境省（MOEJ）（主催者）``."""
    return labels.fill(
        pgettext("an organisation and its role in an event", "%(organisation)s (%(role)s)"),
        organisation=labels.organisation_name(organisation), role=role_label)


@register.simple_tag
def event_languages(event):
    """``Japanese / English (simultaneous interpretation)`` in the reader's language."""
    return labels.language_names(event.language_codes, interpretation=event.has_interpretation)


@register.simple_tag
def session_with_role(session, event, role_label):
    """``<a>Opening remarks</a> (Speaker)``: a session a speaker takes part in, and how."""
    url = reverse("agenda:session", args=[event.slug, session.slug])
    link = format_html('<a href="{}">{}</a>', url, session.title)
    return labels.fill(pgettext("a session and someone's role in it", "%(session)s (%(role)s)"),
                       html=True, session=link, role=role_label)


@register.simple_tag
def participant_in_session(participant, session, event):
    """``Representative of the United States (<a>Opening remarks</a>)``."""
    url = reverse("agenda:session", args=[event.slug, session.slug])
    link = format_html('<a href="{}">{}</a>', url, session.title)
    return labels.fill(
        pgettext("an unnamed participant and the session they take part in",
                 "%(participant)s (%(session)s)"),
        html=True, participant=participant, session=link)


@register.simple_tag
def session_with_track(session, event):
    """``<a>Parallel session 2: …</a> (Channel B)``, or the link alone without a track."""
    url = reverse("agenda:session", args=[event.slug, session.slug])
    link = format_html('<a href="{}">{}</a>', url, session.title)
    if not session.track:
        return link
    return labels.fill(pgettext("a session and the track it runs in", "%(session)s (%(track)s)"),
                       html=True, session=link, track=session.track)


@register.filter
def lines(text):
    """The non-empty lines of a text field (aims are stored one per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.simple_tag(takes_context=True)
def event_feed_links(context, event, day=None):
    """Subscription links for the whole event's feed, or one day's feed."""
    from agenda import calendar_links

    language = context.get("LANGUAGE_CODE", "en")
    if day is None:
        url = calendar_links.event_calendar_url(event, language)
    else:
        url = calendar_links.day_calendar_url(day, language)
    return {
        "download": url,
        "webcal": calendar_links.webcal_url(url),
        "google": calendar_links.google_subscribe_url(url),
    }


@register.simple_tag
def session_calendar_links(session):
    """The .ics download and the short Google Calendar, Outlook.com and Microsoft 365 links.

    Site-relative and short: the web calendars' own long links are built by
    the redirect they lead to (``agenda.views.add_to_calendar``).
    """
    from agenda import calendar_links

    language = translation.get_language()
    return {"download": calendar_links.session_calendar_path(session, language),
            **calendar_links.add_to_calendar_urls(session)}


@register.simple_tag(takes_context=True)
def session_cards(context, days):
    """Every session block of the agenda's ``days`` by session key, from the cache where it is.

    Worked out once per page for all the days (one cache round trip, one
    query for the speakers of blocks to render), however often it is asked.
    """
    from agenda import session_cards as cards

    memo = context.render_context.setdefault("agenda_session_cards", {})
    if id(days) not in memo:
        sessions = [session for entry in days for slot in entry.slots for session in slot.sessions]
        event = days[0].day.event if days else None
        memo[id(days)] = cards.session_cards(event, sessions) if sessions else {}
    return memo[id(days)]


@register.filter
def card_of(cards, session):
    """``{{ cards|card_of:session }}``: the block :func:`session_cards` made for ``session``."""
    return cards[session.pk]


@register.simple_tag
def slot_time_cells(slot):
    """The ``<td>`` of each zone's time in a row of the agenda's table.

    A pure function of the times, zones and language, so each distinct cell
    is written once per process; a template loop with an include per cell
    was a large part of the agenda's rendering time.
    """
    language = translation.get_language()
    return mark_safe("".join(_time_cell(time_range, language) for time_range in slot.times))


@register.simple_tag
def day_time_items(day_programme):
    """The ``<li>`` of each zone's first start to last end over an agenda day.

    The markup of ``agenda/_time_range.html``, written once per process for
    each range and language, as :func:`slot_time_cells` does.
    """
    language = translation.get_language()
    return mark_safe("".join(_time_item(time_range, language)
                             for time_range in day_programme.times))


@functools.lru_cache(maxsize=1024)
def _time_item(time_range, language) -> str:
    # ``language`` is in the key only: the active language is the one used.
    viewer = " time-range--viewer" if time_range.is_viewer_zone else ""
    return format_html('<li><span class="time-range{}">{}</span></li>', viewer,
                       time_range.shifted_html)


@functools.lru_cache(maxsize=4096)
def _time_cell(time_range, language) -> str:
    # ``language`` is in the key only: the active language is the one used.
    viewer = " programme__time--viewer" if time_range.is_viewer_zone else ""
    shift = ""
    if time_range.day_shift:
        shift = format_html(' <span class="day-shift" title="{}">{}</span>',
                            time_range.date_text, time_range.day_shift_label)
    return format_html('<td class="programme__time{}">{}{}</td>', viewer,
                       time_range.text_html, shift)
