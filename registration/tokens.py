"""The two secrets of a registration: its private link and its confirmation link.

The private link carries a long random token (``secrets.token_urlsafe(32)``)
that never expires and lets the person manage the registration. The
confirmation link is a signed, timestamped registration id, valid for seven
days, so a stolen or forwarded old email cannot confirm for ever.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare

CONFIRMATION_MAX_AGE = timedelta(days=7)
_CONFIRMATION_SALT = "registration.confirmation"
# token_urlsafe(32) gives 43 characters of the URL-safe base64 alphabet.
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class InvalidLink(Exception):
    """A confirmation link that was tampered with or never existed."""


class ExpiredLink(InvalidLink):
    """A genuine confirmation link older than :data:`CONFIRMATION_MAX_AGE`."""


def new_private_token() -> str:
    """A fresh private-link token."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 of a token: what the database is searched by."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_well_formed(token) -> bool:
    """Whether ``token`` could be a private token at all.

    Checked before any query so that garbage (NUL bytes, 10,000 characters)
    never reaches the database.
    """
    return isinstance(token, str) and _TOKEN_PATTERN.fullmatch(token) is not None


def tokens_match(stored: str, given: str) -> bool:
    """Compare two tokens in constant time."""
    return bool(stored) and constant_time_compare(stored, given)


def sign_confirmation(registration_id: int) -> str:
    """The value carried by a confirmation link for this registration."""
    return signing.TimestampSigner(salt=_CONFIRMATION_SALT).sign(str(registration_id))


def read_confirmation(value: str) -> int:
    """The registration id inside a confirmation link.

    Raises :class:`ExpiredLink` when the link is older than seven days and
    :class:`InvalidLink` when it was altered or is not a link at all.
    """
    signer = signing.TimestampSigner(salt=_CONFIRMATION_SALT)
    try:
        raw = signer.unsign(value, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredLink(str(error)) from error
    except signing.BadSignature as error:
        raise InvalidLink(str(error)) from error
    if not raw.isdigit():
        raise InvalidLink("not a registration id")
    return int(raw)
