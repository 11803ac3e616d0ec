"""Template tags for the programme pages."""

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def lines(text):
    """The non-empty lines of a text field (aims are stored one per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.simple_tag(takes_context=True)
def event_feed_links(context, event, day=None):
    """Subscription links for the whole event's feed, or one day's feed."""
    from agenda import calendar_links



    if day is None:
        path = reverse("feeds:event_calendar", kwargs={"event": event.slug})
    else:
        path = reverse("feeds:day_calendar", kwargs={"event": event.slug, "number": day.number})
    language = context.get("LANGUAGE_CODE", "en")
    url = context["request"].build_absolute_uri(path) + f"?lang={language}"
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
    path = reverse(
        "feeds:session_calendar", kwargs={"event": session.event.slug, "session": session.slug}
    )
    return {
        "download": f"{path}?lang={language}",
        "google": calendar_links.google_calendar_url(session, language),
        "outlook": calendar_links.outlook_com_url(session, language),
        "office365": calendar_links.office365_url(session, language),
    }
