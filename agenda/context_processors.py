"""Template context every page needs: the language switcher's links."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import translate_url
from django.utils.translation import get_language

from forum_site.languages import local_name


def languages(request):
    """Links to the current page in every language, for the switcher and hreflang."""
    current = get_language()
    path = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": local_name(code),
                "url": (url := translate_url(path, code)),
                "absolute_url": _absolute(request, url),
                "is_current": code == current,
            }
        )
    return {"language_links": links}


def _absolute(request, url):
    """``url`` made absolute with the request's host, or SITE_URL's for a refused host.

    The 400 page answering an unknown Host header renders through here: asking
    for the host again would raise once more and turn that 400 into a 500.
    """
    try:
        return request.build_absolute_uri(url)
    except DisallowedHost:
        return settings.SITE_URL + url


def robots(request):
    """``noindex`` is off unless a view turns it on (a draft's preview for staff).

    A default for every page, so that no template looks up a missing variable:
    Django logs such a lookup with the whole context, private links included.
    """
    return {"noindex": False}
