"""The one way a download says its name: the ``Content-Disposition`` header.

Calendar files, the personal feed and the organisers' CSV files all name
themselves here, so every browser saves them under the same kind of name.
"""

from django.utils.http import content_disposition_header


def attachment(filename: str, fallback: str | None = None) -> str:
    """``attachment; filename="…"``, for any name in any script.

    A non-ASCII ``filename`` is sent as RFC 5987 ``filename*``, after the
    ASCII ``fallback`` for old clients that do not read ``filename*``.
    """
    header = content_disposition_header(True, filename)
    if "filename*=" in header and fallback:
        header = header.replace("attachment; ", f'attachment; filename="{fallback}"; ', 1)
    return header
