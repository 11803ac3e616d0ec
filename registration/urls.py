"""Public registration pages (under the language prefix)."""

from django.urls import path

from registration import views

app_name = "registration"
urlpatterns = [
    path("events/<slug:event>/register/", views.register, name="register"),
    path("events/<slug:event>/register/sent/", views.sent, name="sent"),
    path("events/<slug:event>/privacy/", views.privacy, name="privacy"),
    # Fixed paths before "<token>/" so that no token can shadow them.
    path("registration/link/", views.request_link, name="request_link"),
    path("registration/link/sent/", views.link_sent, name="link_sent"),
    path("registration/erased/", views.erased, name="erased"),
    path("registration/confirm/<str:value>/", views.confirm, name="confirm"),
    path("registration/<str:token>/", views.manage, name="manage"),
    path("registration/<str:token>/choices/", views.change_choices, name="change_choices"),
    path("registration/<str:token>/preferences/", views.change_preferences,
         name="change_preferences"),
    path("registration/<str:token>/cancel/", views.cancel, name="cancel"),
    path("registration/<str:token>/erase/", views.erase, name="erase"),
]
