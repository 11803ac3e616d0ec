"""/robots.txt: crawlers may read everything public, nothing under a private link.

The private prefixes come from settings (PRIVATE_URL_PREFIXES), so this module
names no app. The admin is not named either: its address is configurable so
as not to be advertised, and it is behind a login anyway.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from forum_site.site_url import site_url


@require_safe
def robots_txt(request):
    """Every private prefix disallowed under each language and without one; the sitemap."""
    lines = ["User-agent: *"]
    for prefix in settings.PRIVATE_URL_PREFIXES:
        lines += [f"Disallow: /{code}/{prefix}" for code, _name in settings.LANGUAGES]
        lines.append(f"Disallow: /{prefix}")
    lines += ["", f"Sitemap: {site_url()}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
