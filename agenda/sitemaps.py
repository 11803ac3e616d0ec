"""sitemap.xml: every public page of every published event, in each language, with hreflang
alternates (drafts are left out)."""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from agenda.models import Event, Session, Speaker
from agenda.programme import is_big_programme, load_life
from forum_site.site_url import site_url

# How often crawlers should look again, from where the event stands.
CHANGE_FREQUENCY = {"upcoming": "daily", "live": "hourly", "past": "yearly"}


class _SiteSitemap(Sitemap):
    """Addresses on SITE_URL (the public address), not on whatever Host a request named."""

    i18n = True
    alternates = True
    x_default = True

    def get_domain(self, site=None):
        return urlsplit(site_url()).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(site_url()).scheme

    def _phase(self, event) -> str:
        """The event's state (agenda/event_life.py), worked out once per event and sitemap."""
        phases = self.__dict__.setdefault("_phases", {})
        if event.pk not in phases:
            phases[event.pk] = load_life(event).phase
        return phases[event.pk]


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

    def changefreq(self, item):
        return CHANGE_FREQUENCY[self._phase(item[1])]


class AgendaDaySitemap(_SiteSitemap):
    """The day pages of big programmes (agenda/programme.py): each day is a page of its own.

    A programme on one page has day addresses too, but they only lead to the
    day on that page, so they are left out.
    """

    def items(self):
        items = []
        events = (
            Event.objects.public()
            .annotate(last_change=Max("sessions__updated_at"))
            .order_by("slug")
        )
        for event in events:
            life = load_life(event)
            self.__dict__.setdefault("_phases", {})[event.pk] = life.phase
            if is_big_programme(life):
                numbers = sorted(span.day.number for span in life.spans)
                items += [(event, number) for number in numbers]
        return items

    def location(self, item):
        event, number = item
        return reverse("agenda:agenda_day", kwargs={"event": event.slug, "day": number})

    def lastmod(self, item):
        return item[0].last_change

    def changefreq(self, item):
        return CHANGE_FREQUENCY[self._phase(item[0])]


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

    def changefreq(self, session):
        return CHANGE_FREQUENCY[self._phase(session.event)]


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


SITEMAPS = {"events": EventPagesSitemap, "agenda-days": AgendaDaySitemap,
            "sessions": SessionSitemap, "speakers": SpeakerSitemap}
