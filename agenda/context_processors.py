"""Template context every page needs: the language switcher's links."""

import unicodedata

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def languages(request):
    """Links to the current page in every language, for the switcher and hreflang."""
    current = get_language()
    path = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                # Django's table spells "Tiếng Việt" decomposed; pages are NFC.
                "name": unicodedata.normalize("NFC", info["name_local"]),
                "url": (url := translate_url(path, code)),
                "absolute_url": request.build_absolute_uri(url),
                "is_current": code == current,
            }
        )
    return {"language_links": links}
