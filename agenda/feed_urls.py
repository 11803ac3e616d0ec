"""Machine-readable feeds of the programme (no language prefix; ``?lang=`` picks it)."""

from django.urls import path

from agenda import feeds

app_name = "feeds"
urlpatterns = [
    path("events/<slug:event>/calendar.ics", feeds.event_calendar, name="event_calendar"),
    path("events/<slug:event>/days/<int:number>.ics", feeds.day_calendar, name="day_calendar"),
    path(
        "events/<slug:event>/sessions/<slug:session>.ics",
        feeds.session_calendar,
        name="session_calendar",
    ),
    path("events/<slug:event>/schedule.json", feeds.schedule, name="schedule_json"),
]
