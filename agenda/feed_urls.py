"""Machine-readable feeds of the programme (no language prefix; ``?lang=`` picks it)."""

from django.urls import path

from agenda import feeds
from forum_site.pagecache import public_feed

app_name = "feeds"
# Cached in the shared cache per event and language (forum_site/pagecache); the
# feeds' own ETag and Last-Modified are kept, so pollers still get 304.
urlpatterns = [
    path("events/<slug:event>/calendar.ics", public_feed(feeds.event_calendar),
         name="event_calendar"),
    path("events/<slug:event>/days/<int:number>.ics", public_feed(feeds.day_calendar),
         name="day_calendar"),
    path(
        "events/<slug:event>/sessions/<slug:session>.ics",
        public_feed(feeds.session_calendar),
        name="session_calendar",
    ),
    path("events/<slug:event>/schedule.json", public_feed(feeds.schedule), name="schedule_json"),
]
