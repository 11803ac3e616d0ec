"""Public programme pages (under the language prefix)."""

from django.urls import path

from agenda import views

app_name = "agenda"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<slug:event>/", views.event_detail, name="event"),
    path("events/<slug:event>/agenda/", views.agenda, name="agenda"),
    path("events/<slug:event>/sessions/<slug:session>/", views.session_detail, name="session"),
    path("events/<slug:event>/speakers/", views.speaker_list, name="speakers"),
    path("events/<slug:event>/speakers/<slug:speaker>/", views.speaker_detail, name="speaker"),
]
