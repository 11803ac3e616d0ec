"""The two secrets of a registration: its private link and its confirmation link.

The private link carries a token that never expires and lets the person
manage the registration. The database never holds that token: only its
SHA-256 digest (what a visit is looked up by) and a random salt. The token is
an HMAC of the registration's public id and that salt under SECRET_KEY, so the
site can write the link into a later email (reminders, promotions), while
someone who reads the table (an organiser in the admin, a database dump)
cannot rebuild it. A fresh salt makes a fresh token and kills the old link.

The confirmation link is a signed, timestamped public id (a UUID, not the
sequential id), valid for seven days, so a stolen or forwarded old email
cannot confirm for ever.
"""

import base64
import hashlib
import re
import secrets
import uuid
from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRMATION_MAX_AGE = timedelta(days=7)
_CONFIRMATION_SALT = "registration.confirmation"
# token_urlsafe(32) gives 43 characters of the URL-safe base64 alphabet.
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class InvalidLink(Exception):
    """A confirmation link that was tampered with or never existed."""


class ExpiredLink(InvalidLink):
    """A genuine confirmation link older than :data:`CONFIRMATION_MAX_AGE`."""


_PRIVATE_LINK_SALT = "registration.private-link"
# A private or confirmation link inside a stored email's text or HTML.
_LINK_SECRET = re.compile(r"(/registration/(?:confirm/)?)([^/?#\s\"'<>]{20,})")
MASKED = "[private]"


def new_token_salt() -> str:
    """A fresh random salt: with the public id, it makes a new private token."""
    return secrets.token_urlsafe(16)


def private_token(public_id, salt: str) -> str:
    """The private-link token of a registration (43 URL-safe characters)."""
    mac = salted_hmac(_PRIVATE_LINK_SALT, f"{public_id}:{salt}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def mask_links(text: str) -> str:
    """``text`` with the secret of every private and confirmation link replaced.

    For showing stored emails to organisers: the rest of the message stays
    readable, the links no longer work.
    """
    return _LINK_SECRET.sub(lambda match: match.group(1) + MASKED, text or "")


def digest(token: str) -> str:
    """The SHA-256 of a token: what the database is searched by."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_well_formed(token) -> bool:
    """Whether ``token`` could be a private token at all.

    Checked before any query so that garbage (NUL bytes, 10,000 characters)
    never reaches the database.
    """
    return isinstance(token, str) and _TOKEN_PATTERN.fullmatch(token) is not None


def digests_match(stored: str, token: str) -> bool:
    """Whether ``token`` is the one ``stored`` is the digest of, in constant time."""
    return bool(stored) and constant_time_compare(stored, digest(token))


def sign_confirmation(public_id) -> str:
    """The value carried by a confirmation link for the registration with this public id."""
    return signing.TimestampSigner(salt=_CONFIRMATION_SALT).sign(str(public_id))


def read_confirmation(value: str) -> uuid.UUID | int:
    """The registration's public id (a UUID) inside a confirmation link.

    Links emailed before public ids existed carry the sequential id and read
    as an int until they expire (they are signed: nobody can make one up).
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
    if raw.isdigit():
        return int(raw)
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise InvalidLink("not a registration id") from error
