"""Public programme pages (under the language prefix)."""

from django.urls import path

from agenda import agenda_filters, timezones, views
from forum_site import pagecache
from forum_site.pagecache import SITE

# Every page here is the same for every anonymous visitor: cached in the shared
# cache (forum_site/pagecache), per language, event and viewer zone (``?tz=``,
# remembered in the tz cookie).
VIEWER_ZONE = pagecache.Choice(timezones.VIEWER_ZONE_COOKIE, timezones.is_valid_zone, cookie=True)
public_page = pagecache.public_page(choices=[VIEWER_ZONE])

# The agenda also takes its filters and search in the query (agenda/agenda_filters.py).
# A filter's value is checked by the view, which answers one the event does
# not have with a 400 (never stored); past a sane length it is not worth an
# entry. A search is always answered fresh: every typed term would otherwise
# get an entry of its own.
MAX_FILTER_VALUE = 200
AGENDA_FILTERS = [pagecache.Choice(name, lambda value: len(value) <= MAX_FILTER_VALUE)
                  for name in agenda_filters.FILTERS]
AGENDA_SEARCH = pagecache.Choice(agenda_filters.SEARCH, lambda value: False)
agenda_page = pagecache.public_page(
    views.agenda, choices=[VIEWER_ZONE, *AGENDA_FILTERS, AGENDA_SEARCH])

app_name = "agenda"
urlpatterns = [
    path("", public_page(views.event_list, scope=SITE), name="event_list"),
    path("events/<slug:event>/", public_page(views.event_detail), name="event"),
    path("events/<slug:event>/agenda/", agenda_page, name="agenda"),
    path("events/<slug:event>/agenda/day-<int:day>/", agenda_page, name="agenda_day"),
    path("events/<slug:event>/sessions/<slug:session>/", public_page(views.session_detail),
         name="session"),
    path("events/<slug:event>/changes/", public_page(views.changes), name="changes"),
    path("events/<slug:event>/speakers/", public_page(views.speaker_list), name="speakers"),
    path("events/<slug:event>/speakers/<slug:speaker>/", public_page(views.speaker_detail),
         name="speaker"),
    path("events/<slug:event>/zones/", public_page(views.zone_picker), name="zones"),
    path("events/<slug:event>/zones/<slug:region>/", public_page(views.zone_picker),
         name="zone_region"),
    # Not cached, not a page: a redirect to a web calendar (views.add_to_calendar).
    path("events/<slug:event>/sessions/<slug:session>/add/<slug:service>",
         views.add_to_calendar, name="add_to_calendar"),
]
