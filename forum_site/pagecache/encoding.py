"""Compressed copies of cached pages, made once when stored, and which one a client gets.

A cached page is anonymous and public (no CSRF token, nothing personal), so
compressing it leaks nothing (BREACH needs a secret and attacker-chosen text
in the same response). Its brotli and gzip copies are made when the entry is
stored and kept beside the original: a hit sends stored bytes, whatever the
client accepts. Responses the cache does not store are sent as they are.

Brotli at quality 5 and gzip at level 6: on the forum's agenda (75 KB of HTML)
they take 3 ms and 1 ms and give 9.3 KB and 10.1 KB. Brotli's best quality
(11) gives 8.0 KB but takes 0.2 s there, and 20 s on a 1,000-session agenda:
the visitor whose request fills the cache would wait for it.
"""

import functools
import gzip
import re

import brotli

IDENTITY = "identity"
# On equal weights the smallest wins: brotli, then gzip, then the original.
_PREFERENCE = {"br": 2, "gzip": 1, IDENTITY: 0}
_ALIASES = {"x-gzip": "gzip"}  # RFC 9110 §8.4.1.3: the same coding
COMPRESSIBLE_TYPES = frozenset({
    "text/html", "text/plain", "text/calendar", "text/css", "text/csv", "text/xml",
    "application/json", "application/ld+json", "application/xml", "application/javascript",
    "application/rss+xml", "application/atom+xml", "image/svg+xml",
})
#: Below this many bytes compression saves less than the headers it adds.
MIN_SIZE = 200
# A real Accept-Encoding is a few dozen characters; a longer one is not worth
# parsing (nor a place in the parser's cache).
_MAX_HEADER = 512
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
_WEIGHT = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")


def compressed(content: bytes, content_type: str) -> dict[str, bytes]:
    """The brotli and gzip copies of ``content`` worth sending (smaller than it), by coding."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in COMPRESSIBLE_TYPES or len(content) < MIN_SIZE:
        return {}
    copies = {
        "br": brotli.compress(content, mode=brotli.MODE_TEXT, quality=5),
        # mtime=0: the same bytes (and ETag) on every app instance.
        "gzip": gzip.compress(content, compresslevel=6, mtime=0),
    }
    return {coding: data for coding, data in copies.items() if len(data) < len(content)}


def choose(accept_encoding: str, available) -> str:
    """The coding to send: the client's most wanted of ``available``, else ``identity``.

    ``accept_encoding`` is the request's header ("" when it has none). A
    coding with ``q=0`` is refused; ``*`` stands for any coding not named.
    Without the header, with nothing understood in it, or when everything
    available is refused, the answer is ``identity``: the page as it is,
    never an error (even when the client said ``identity;q=0``).
    """
    weights = _weights(accept_encoding)
    if not weights:
        return IDENTITY
    anything = weights.get("*")
    best, best_rank = IDENTITY, (weights.get(IDENTITY, anything if anything is not None else 0), 0)
    for coding in available:
        weight = weights.get(coding, anything)
        if weight:
            rank = (weight, _PREFERENCE[coding])
            if rank > best_rank:
                best, best_rank = coding, rank
    return best


@functools.lru_cache(maxsize=256)
def _weights(header: str) -> dict[str, float]:
    """``{"gzip": 1.0, "br": 0.5, …}`` from an Accept-Encoding value; malformed parts left out."""
    if len(header) > _MAX_HEADER:
        return {}
    weights = {}
    for element in header.lower().split(","):
        coding, *parameters = (part.strip() for part in element.split(";"))
        if not (coding == "*" or _TOKEN.fullmatch(coding)):
            continue
        weight = 1.0
        for parameter in parameters:
            name, equals, value = (part.strip() for part in parameter.partition("="))
            if name != "q" or not equals or not _WEIGHT.fullmatch(value):
                weight = None  # not a weight: the whole element is ignored
                break
            weight = float(value)
        if weight is not None:
            weights.setdefault(_ALIASES.get(coding, coding), weight)
    return weights


def variant_etag(etag: str, coding: str) -> str:
    """The ETag of a coding's copy: ``"abc"`` becomes ``"abc-gzip"`` (weak stays weak)."""
    if coding == IDENTITY or not etag.endswith('"'):
        return etag
    return f'{etag[:-1]}-{coding}"'
