"""A registrant's personal calendar feed (no language prefix: calendar clients fetch it)."""

from django.urls import path

from registration import views

app_name = "registration_feeds"
urlpatterns = [
    path("registration/<str:token>/calendar.ics", views.personal_calendar,
         name="personal_calendar"),
]
