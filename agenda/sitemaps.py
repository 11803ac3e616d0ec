"""sitemap.xml: every public page of every published event, in each language, with hreflang
alternates (drafts are left out)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from agenda.models import Event, Session, Speaker


class _SiteSitemap(Sitemap):
    """Addresses on SITE_URL (the public address), not on whatever Host a request named."""

    i18n = True
    alternates = True
    x_default = True

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class EventPagesSitemap(_SiteSitemap):
    """Each event's overview, agenda and speaker list, dated by its latest session change."""

    pages = ("agenda:event", "agenda:agenda", "agenda:speakers")

    def items(self):
        events = (
            Event.objects.public()
            .annotate(last_change=Max("sessions__updated_at"))
            .order_by("slug")
        )
        return [(name, event) for event in events for name in self.pages]

    def location(self, item):
        name, event = item
        return reverse(name, kwargs={"event": event.slug})

    def lastmod(self, item):
        return item[1].last_change


class SessionSitemap(_SiteSitemap):
    """Every session page, dated by the session's last change."""

    def items(self):
        return (
            Session.objects.filter(event__published=True)
            .select_related("event")
            .order_by("event__slug", "start", "slug")
        )

    def lastmod(self, session):
        return session.updated_at


class SpeakerSitemap(_SiteSitemap):
    """Every speaker page of every event they speak at."""

    def items(self):
        return list(
            Speaker.objects.filter(session_roles__session__event__published=True)
            .values_list("session_roles__session__event__slug", "slug")
            .distinct()
            .order_by("session_roles__session__event__slug", "slug")
        )

    def location(self, item):
        event, speaker = item
        return reverse("agenda:speaker", kwargs={"event": event, "speaker": speaker})


SITEMAPS = {"events": EventPagesSitemap, "sessions": SessionSitemap, "speakers": SpeakerSitemap}
