"""Root URLs: public pages under a language prefix, feeds and admin without one."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from agenda import views as agenda_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", agenda_views.healthz, name="healthz"),
    path("", include("agenda.feed_urls")),
    path("", include("registration.feed_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("agenda.urls")),
    path("", include("registration.urls")),
    prefix_default_language=True,
)
