"""Compressed cached pages (forum_site/pagecache/encoding.py): made once, sent as stored.

Also what a hit and a static file cost in middleware: served near the top of
the stack, with the security headers, and (static) without an access line.
"""

import gzip
import logging
import os
import re
from unittest import mock

import brotli
import pytest
from django.core.cache import cache

from forum_site import middleware as site_middleware
from forum_site import site_url
from forum_site.pagecache import encoding
from forum_site.pagecache.middleware import PageCacheMiddleware

pytestmark = pytest.mark.django_db

AGENDA = "/en/events/zccf-2022/agenda/"
CACHED = [
    ("/en/", "Cookie, Accept-Encoding"),
    (AGENDA, "Cookie, Accept-Encoding"),
    ("/en/events/zccf-2022/sessions/session-1/", "Cookie, Accept-Encoding"),
    ("/events/zccf-2022/calendar.ics", "Accept-Language, Cookie, Accept-Encoding"),
    ("/events/zccf-2022/schedule.json", "Accept-Language, Cookie, Accept-Encoding"),
]
DECOMPRESS = {"gzip": gzip.decompress, "br": brotli.decompress}


def get(client, path, accept_encoding=None, **extra):
    if accept_encoding is not None:
        extra["HTTP_ACCEPT_ENCODING"] = accept_encoding
    return client.get(path, **extra)


@pytest.mark.parametrize(("path", "vary"), CACHED)
def test_each_coding_decompresses_to_exactly_the_page_as_rendered(client, forum, path, vary):
    plain = get(client, path)
    assert (plain.status_code, plain["X-Page-Cache"]) == (200, "miss")
    assert "Content-Encoding" not in plain
    assert (plain["Vary"], plain["Content-Length"]) == (vary, str(len(plain.content)))
    etag = plain["ETag"]
    assert re.fullmatch(r'(W/)?"[^"]+"', etag)
    for coding, decompress in DECOMPRESS.items():
        response = get(client, path, coding)
        assert (response.status_code, response["X-Page-Cache"]) == (200, "hit")
        assert response["Content-Encoding"] == coding
        assert response["Content-Length"] == str(len(response.content))
        assert len(response.content) < len(plain.content)
        assert decompress(response.content) == plain.content
        assert response["Vary"] == vary
        assert response["ETag"] == f'{etag[:-1]}-{coding}"'
        for header in ("Content-Type", "Last-Modified", "Cache-Control"):
            assert response[header] == plain[header], header


def test_the_miss_is_sent_compressed_too_and_the_hits_repeat_its_bytes(client, forum):
    miss = get(client, AGENDA, "gzip, deflate, br")
    assert (miss["X-Page-Cache"], miss["Content-Encoding"]) == ("miss", "br")
    hit = get(client, AGENDA, "gzip, deflate, br")
    assert (hit["X-Page-Cache"], hit.content, hit["ETag"]) == ("hit", miss.content, miss["ETag"])


def test_compression_happens_once_when_stored_never_on_a_hit(client, forum):
    with mock.patch.object(encoding, "compressed", wraps=encoding.compressed) as compress, \
            mock.patch.object(encoding.gzip, "compress", wraps=gzip.compress) as gzip_compress, \
            mock.patch.object(encoding.brotli, "compress", wraps=brotli.compress) as br_compress:
        assert get(client, AGENDA, "gzip")["X-Page-Cache"] == "miss"
        assert (compress.call_count, gzip_compress.call_count, br_compress.call_count) == (1, 1, 1)
        for coding in ["gzip", "br", "", "br;q=0.5, gzip"] * 3:
            assert get(client, AGENDA, coding)["X-Page-Cache"] == "hit"
        assert (compress.call_count, gzip_compress.call_count, br_compress.call_count) == (1, 1, 1)


NEGOTIATION = [
    ("", "identity"),
    ("br", "br"),
    ("gzip", "gzip"),
    ("gzip, deflate, br", "br"),
    ("gzip, deflate, br, zstd", "br"),
    ("br;q=0.5, gzip", "gzip"),
    ("gzip;q=1.0, br;q=0.999", "gzip"),
    ("br;q=0.8, gzip;q=0.8", "br"),
    ("GZIP", "gzip"),
    ("x-gzip", "gzip"),
    ("gzip ; q=0.5", "gzip"),
    ("br;q=0", "identity"),
    ("gzip;q=0, br;q=0", "identity"),
    ("gzip;q=0.000", "identity"),
    ("br;q=0, gzip", "gzip"),
    ("identity", "identity"),
    ("identity;q=1, gzip;q=0.5", "identity"),
    ("identity;q=0", "identity"),  # nothing else acceptable: the page as it is
    ("*", "br"),
    ("*;q=0", "identity"),
    ("br;q=0.5, *;q=0.8", "gzip"),
    ("*, br;q=0", "gzip"),
    ("deflate", "identity"),
    ("zstd, gzip;q=0.1", "gzip"),
    ("br;q=2", "identity"),  # not a weight: the element is ignored
    ("br;q=abc", "identity"),
    ("br;q=nan, gzip;q=inf", "identity"),
    ("br;q=-1", "identity"),
    ("br;level=11", "identity"),
    ("br;q", "identity"),
    (";;;,,,=", "identity"),
    ("\x00\x7f, g zip", "identity"),
    ("gzip, " + "x" * 600, "identity"),  # no real header is that long
]


@pytest.mark.parametrize(("header", "coding"), NEGOTIATION)
def test_accept_encoding_is_negotiated_by_weight(header, coding):
    assert encoding.choose(header, ("identity", "br", "gzip")) == coding


def test_only_the_codings_stored_can_be_chosen():
    assert encoding.choose("br, gzip;q=0.5", ("identity", "gzip")) == "gzip"
    assert encoding.choose("br", ("identity", "gzip")) == "identity"


@pytest.mark.parametrize(("header", "coding"), NEGOTIATION)
def test_every_accept_encoding_gets_a_page_never_an_error(client, forum, header, coding):
    plain = get(client, AGENDA)
    response = get(client, AGENDA, header)
    assert response.status_code == 200
    if coding == "identity":
        assert "Content-Encoding" not in response
        assert response.content == plain.content
    else:
        assert response["Content-Encoding"] == coding
        assert DECOMPRESS[coding](response.content) == plain.content


def test_head_sends_the_headers_of_the_coding_without_a_body(client, forum):
    gzipped = get(client, AGENDA, "gzip")  # the miss, which stores the entry
    head = client.head(AGENDA, HTTP_ACCEPT_ENCODING="gzip")
    assert (head.status_code, head["X-Page-Cache"], head.content) == (200, "hit", b"")
    for header in ("Content-Encoding", "Content-Length", "ETag", "Vary", "Content-Type"):
        assert head[header] == gzipped[header], header
    plain_head = client.head(AGENDA)
    assert (plain_head.status_code, plain_head.content) == (200, b"")
    assert "Content-Encoding" not in plain_head
    assert plain_head["Content-Length"] == str(len(get(client, AGENDA).content))


def test_a_head_that_misses_is_answered_as_it_is(client, forum):
    head = client.head(AGENDA, HTTP_ACCEPT_ENCODING="gzip")
    assert (head.status_code, head["X-Page-Cache"], head.content) == (200, "miss", b"")
    assert "Content-Encoding" not in head


def test_conditional_requests_compare_the_etag_of_the_coding_sent(client, forum):
    gzipped = get(client, AGENDA, "gzip")
    plain = get(client, AGENDA)
    same = get(client, AGENDA, "gzip", HTTP_IF_NONE_MATCH=gzipped["ETag"])
    assert (same.status_code, same.content, same["ETag"]) == (304, b"", gzipped["ETag"])
    assert same["Vary"] == "Cookie, Accept-Encoding"
    assert "Content-Encoding" not in same
    # The client holds the plain copy but now takes gzip: a different representation.
    other = get(client, AGENDA, "gzip", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert (other.status_code, other["Content-Encoding"]) == (200, "gzip")
    assert gzip.decompress(other.content) == plain.content
    cache.clear()  # the miss answers conditions the same way
    again = get(client, AGENDA, "br", HTTP_IF_NONE_MATCH=f'{plain["ETag"][:-1]}-br"')
    assert (again.status_code, again["X-Page-Cache"]) == (304, "miss")


@pytest.mark.parametrize("path", [
    "/en/events/zccf-2022/register/",  # a CSRF token: never compressed (BREACH)
    "/admin/login/",
    "/robots.txt",
    "/healthz",
])
def test_responses_the_cache_does_not_store_are_sent_as_they_are(client, forum, path):
    response = get(client, path, "gzip, br")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" not in response.get("Vary", "")


def test_a_bypassed_page_is_sent_as_it_is(client, forum):
    response = get(client, AGENDA + "?utm_source=x", "gzip, br")
    assert (response.status_code, response["X-Page-Cache"]) == (200, "bypass")
    assert "Content-Encoding" not in response


def test_what_is_compressed_and_what_is_not():
    page = b"<p>programme</p>" * 40
    copies = encoding.compressed(page, "text/html; charset=utf-8")
    assert set(copies) == {"br", "gzip"}
    assert gzip.decompress(copies["gzip"]) == brotli.decompress(copies["br"]) == page
    assert encoding.compressed(page, "application/json") != {}
    assert encoding.compressed(page, "TEXT/CALENDAR;charset=utf-8") != {}
    assert encoding.compressed(page, "image/png") == {}
    assert encoding.compressed(page[:150], "text/html") == {}  # too small to gain
    assert encoding.compressed(os.urandom(1000), "text/plain") == {}  # no smaller
    assert copies == encoding.compressed(page, "text/html")  # the same bytes everywhere


def test_a_response_already_encoded_is_stored_as_it_is(rf, forum):
    from django.http import HttpResponse

    body = gzip.compress(b"x" * 1000)

    def view(request):
        response = HttpResponse(body, content_type="text/html")
        response["Content-Encoding"] = "gzip"
        return response

    middleware = PageCacheMiddleware(view)
    request = rf.get(AGENDA, HTTP_ACCEPT_ENCODING="br")
    first = middleware(request)
    assert (first["X-Page-Cache"], first["Content-Encoding"], first.content) == (
        "miss", "gzip", body)
    again = middleware(rf.get(AGENDA, HTTP_ACCEPT_ENCODING="br"))
    assert (again["X-Page-Cache"], again["Content-Encoding"], again.content) == (
        "hit", "gzip", body)
    assert "Accept-Encoding" not in again.get("Vary", "")


def test_entries_count_every_copy_in_the_process_memory(client, forum):
    from forum_site.pagecache.local import local_entries

    local_entries.clear()
    get(client, AGENDA)
    [entry] = local_entries._entries.values()
    assert set(entry.variants) == {"identity", "br", "gzip"}
    assert entry.size == sum(len(content) for content, _headers in entry.variants.values())
    assert local_entries._bytes == entry.size


# Fewer middlewares on a hit; static files first ----------------------------------

def test_a_hit_is_answered_before_the_rest_of_the_stack_runs(client, forum):
    get(client, AGENDA, secure=True)  # https: an entry of its own
    below = [site_middleware.RequestBodyLimitMiddleware, site_middleware.AllowedMethodsMiddleware,
             site_middleware.ClientIPMiddleware, site_url.SiteURLMiddleware]
    patches = [mock.patch.object(middleware, "__call__") for middleware in below]
    calls = [patch.start() for patch in patches]
    try:
        hit = get(client, AGENDA, "br", secure=True)
    finally:
        for patch in patches:
            patch.stop()
    assert (hit.status_code, hit["X-Page-Cache"]) == (200, "hit")
    assert [call.call_count for call in calls] == [0, 0, 0, 0]
    # Stored with the page: the headers set below the cache.
    assert hit["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in hit["Content-Security-Policy"]
    # Set above it, on every answer.
    assert hit["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert len(hit["X-Request-ID"]) == 32


def test_middleware_order_static_files_then_the_page_cache_near_the_top(settings):
    assert settings.MIDDLEWARE[:4] == [
        "forum_site.middleware.RequestLogMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "forum_site.middleware.StaticFilesMiddleware",
        "forum_site.pagecache.middleware.PageCacheMiddleware",
    ]


def test_static_files_skip_the_page_cache_and_keep_the_security_headers(client):
    with mock.patch.object(PageCacheMiddleware, "__call__") as page_cache:
        response = client.get("/static/css/site.css", secure=True)
    assert response.status_code == 200
    assert page_cache.call_count == 0
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_static_files_write_no_access_line_but_a_missing_one_does(client, caplog):
    with caplog.at_level(logging.INFO, logger="forum_site.access"):
        assert client.get("/static/css/site.css").status_code == 200
        assert client.get("/static/css/missing.css").status_code == 404
        assert client.get("/robots.txt").status_code == 200
    lines = [(r.levelname, r.path, r.status) for r in caplog.records
             if r.name == "forum_site.access"]
    assert lines == [("INFO", "/static/css/missing.css", 404), ("INFO", "/robots.txt", 200)]


def test_static_files_are_logged_at_debug_for_whoever_asks(client, caplog):
    logger = logging.getLogger("forum_site.access")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="forum_site.access"):
            client.get("/static/css/site.css")
    finally:
        logger.setLevel(level)
    lines = [(r.levelname, r.path, r.status) for r in caplog.records
             if r.name == "forum_site.access"]
    assert lines == [("DEBUG", "/static/css/site.css", 200)]


def test_cache_hits_are_logged_at_debug_unless_asked_for(client, forum, caplog, settings):
    agenda = "/en/events/zccf-2022/agenda/"
    with caplog.at_level(logging.DEBUG, logger="forum_site.access"):
        client.get(agenda)
        client.get(agenda)
        settings.ACCESS_LOG_CACHE_HITS = True
        client.get(agenda)
    lines = [(r.levelname, r.path, r.cache) for r in caplog.records
             if r.name == "forum_site.access"]
    assert lines == [("INFO", agenda, "miss"), ("DEBUG", agenda, "hit"), ("INFO", agenda, "hit")]
