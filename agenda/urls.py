"""Public programme pages (under the language prefix)."""

from django.urls import path

from agenda import agenda_filters, views
from agenda.caching import SITE, public_page

app_name = "agenda"
# The agenda takes its filters and search in the query (agenda/agenda_filters.py).
agenda_page = public_page(views.agenda, filters=agenda_filters.FILTERS,
                          search=(agenda_filters.SEARCH,))
# Every page here is the same for every anonymous visitor: cached in the shared
# cache, per language, viewer zone and event (agenda/caching.py).
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
]
