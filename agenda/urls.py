"""Public programme pages (under the language prefix)."""

from django.urls import path

from agenda import timezones, views
from forum_site import pagecache
from forum_site.pagecache import SITE

# Every page here is the same for every anonymous visitor: cached in the shared
# cache (forum_site/pagecache), per language, event and viewer zone (``?tz=``,
# remembered in the tz cookie).
VIEWER_ZONE = pagecache.Choice(timezones.VIEWER_ZONE_COOKIE, timezones.is_valid_zone, cookie=True)
public_page = pagecache.public_page(choices=[VIEWER_ZONE])

app_name = "agenda"
urlpatterns = [
    path("", public_page(views.event_list, scope=SITE), name="event_list"),
    path("events/<slug:event>/", public_page(views.event_detail), name="event"),
    path("events/<slug:event>/agenda/", public_page(views.agenda), name="agenda"),
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
