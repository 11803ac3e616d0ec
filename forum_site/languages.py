"""The site's languages as people read them: each one named in itself."""

import unicodedata

from django.utils.translation import get_language_info


def local_name(code: str) -> str:
    """``code``'s name in that language ("日本語", "Tiếng Việt"), in NFC.

    Django's table spells "Tiếng Việt" decomposed; every page is NFC, and an
    HTML checker warns about text that is not.
    """
    return unicodedata.normalize("NFC", get_language_info(code)["name_local"])
