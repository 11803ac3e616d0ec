"""Template tags for the programme pages."""

import functools

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def lines(text):
    """The non-empty lines of a text field (aims are stored one per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.simple_tag
def zone_options(zone_choices, selected):
    """The zone picker's ``<optgroup>`` and ``<option>`` elements, ``selected`` selected.

    Written once per list of choices (they differ only by language and event)
    rather than by a template loop: there are some 430 zones, and the loop
    took a third of an agenda page's rendering time.
    """
    frozen = tuple((group, tuple(options)) for group, options in zone_choices)
    html = _options_html(frozen)
    if selected:
        option = f'<option value="{escape(selected)}">'
        html = html.replace(option, option[:-1] + " selected>", 1)
    return mark_safe(html)  # built from escaped parts only


@functools.lru_cache(maxsize=64)
def _options_html(zone_choices) -> str:
    parts = []
    for group, options in zone_choices:
        parts.append(f'<optgroup label="{escape(group)}">')
        parts += [f'<option value="{escape(value)}">{escape(label)}</option>'
                  for value, label in options]
        parts.append("</optgroup>")
    return "".join(parts)


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


@register.simple_tag(takes_context=True)
def session_calendar_links(context, session):
    """Download, Google Calendar, Outlook.com and Microsoft 365 links for one session."""
    from agenda import calendar_links

    language = context.get("LANGUAGE_CODE", "en")
    return {"download": calendar_links.session_calendar_url(session, language),
            **calendar_links.web_calendar_urls(session, language)}
