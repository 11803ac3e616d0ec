"""Root URLs: public pages under a language prefix, feeds and admin without one."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from agenda.sitemaps import SITEMAPS
from forum_site import health, robots

# The project's own endpoints (forum_site/health.py, robots.py) beside the apps'.
urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),  # "admin/" unless ADMIN_URL says otherwise
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", robots.robots_txt, name="robots_txt"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("agenda.feed_urls")),
    path("", include("registration.feed_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("agenda.urls")),
    path("", include("registration.urls")),
    prefix_default_language=True,
)

handler400 = "forum_site.errors.bad_request"
handler403 = "forum_site.errors.permission_denied"
handler404 = "forum_site.errors.page_not_found"
handler500 = "forum_site.errors.server_error"
