"""Template context every page needs: the language switcher's links."""

from django.conf import settings
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
                "absolute_url": request.build_absolute_uri(url),
                "is_current": code == current,
            }
        )
    return {"language_links": links}
