"""Serving in production: health check, static files, cache backend, request ids and logs."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import RequestFactory

from forum_site.logging import JSONFormatter, RequestIdFilter, redact

BASE_DIR = Path(__file__).resolve().parent.parent
TOKEN = "Abcdefghijklmnopqrstuvwxyz0123456789_-ABCDE"  # the shape of a private token


# /healthz ------------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_is_200_while_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"] == "text/plain"
    assert "X-Page-Cache" not in response


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("could not connect to server")
    with mock.patch("forum_site.health.connection", broken):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database unavailable\n")


@pytest.mark.django_db
def test_healthz_answers_plain_http_so_a_load_balancer_can_probe_it(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/").status_code == 301  # everything else goes to HTTPS


# Static files ----------------------------------------------------------------------

@pytest.fixture
def collected_static(settings, tmp_path):
    """Production static files: collectstatic into a temporary STATIC_ROOT, manifest storage."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return json.loads((tmp_path / "staticfiles.json").read_text())["paths"]


@pytest.mark.django_db
def test_pages_link_hashed_static_files_served_compressed_and_cached_for_a_year(
    client, forum, collected_static
):
    css = collected_static["css/site.css"]
    assert css != "css/site.css" and css.startswith("css/site.")
    html = client.get("/en/events/zccf-2022/agenda/").content.decode()
    assert f'href="/static/{css}"' in html
    assert f'src="/static/{collected_static["js/timezone-offer.js"]}"' in html

    plain = client.get(f"/static/{css}")
    assert plain.status_code == 200
    assert plain["Cache-Control"] == "max-age=315360000, public, immutable"
    assert plain["Content-Type"].startswith("text/css")
    body = b"".join(plain.streaming_content)
    assert body == (BASE_DIR / "static/css/site.css").read_bytes()

    gzipped = client.get(f"/static/{css}", HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip"
    assert int(gzipped["Content-Length"]) < len(body)


@pytest.mark.django_db
def test_the_manifest_of_hashed_names_is_not_served(client, forum, collected_static, tmp_path):
    assert (tmp_path / "staticfiles.json").is_file()  # the storage still reads it from disk
    for path in ("/static/staticfiles.json", "/static/staticfiles.json.gz"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "X-Page-Cache" not in response  # Django's 404 page, not a file
    assert client.get(f"/static/{collected_static['css/site.css']}").status_code == 200


def test_tests_and_laptops_use_plain_static_storage(settings):
    # pytest sets PYTEST_VERSION: templates render {% static %} without collectstatic.
    assert settings.STATIC_MANIFEST is False
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


# Settings read from the environment --------------------------------------------------

def _settings_in_subprocess(expression, **env):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("CACHE_URL", "DEBUG", "PYTEST_VERSION", "STATIC_MANIFEST")}
    environment.update(env)
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({expression}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
        env={**environment, "DJANGO_SETTINGS_MODULE": "forum_site.settings"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_cache_url_redis_uses_djangos_own_redis_backend():
    caches = _settings_in_subprocess("s.CACHES", CACHE_URL="redis://127.0.0.1:6379/3")
    assert caches == {"default": {
        "BACKEND": "forum_site.pagecache.backend.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
        "KEY_PREFIX": "forum",
        # tests/test_hung_services.py: a Redis that hangs costs half a second.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    from django.core.cache.backends.redis import RedisCache

    from forum_site.pagecache.backend import RedisCache as SiteRedisCache

    assert issubclass(SiteRedisCache, RedisCache)


def test_without_cache_url_the_cache_is_local_memory():
    assert _settings_in_subprocess("s.CACHES") == {"default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "forum-site",
    }}


def test_production_uses_hashed_compressed_static_files():
    backend = _settings_in_subprocess('s.STORAGES["staticfiles"]["BACKEND"]', DEBUG="false")
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    laptop = _settings_in_subprocess('s.STORAGES["staticfiles"]["BACKEND"]', DEBUG="true")
    assert laptop == "django.contrib.staticfiles.storage.StaticFilesStorage"


# Request ids and log lines -------------------------------------------------------------

@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_given_one_is_kept(client):
    fresh = client.get("/healthz")
    assert len(fresh["X-Request-ID"]) == 32
    assert client.get("/healthz")["X-Request-ID"] != fresh["X-Request-ID"]
    given = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abcd")
    assert given["X-Request-ID"] == "lb-1234.abcd"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\n{\"level\": \"ERROR\"}")
    assert len(forged["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_one_access_line_per_request_with_id_status_and_duration(client, forum, caplog,
                                                                 settings):
    settings.ACCESS_LOG_CACHE_HITS = True  # hits too (at DEBUG otherwise: test_compression.py)
    with caplog.at_level(logging.INFO, logger="forum_site.access"):
        client.get("/en/events/zccf-2022/agenda/", HTTP_X_REQUEST_ID="req-1")
        client.get("/en/events/zccf-2022/agenda/", HTTP_X_REQUEST_ID="req-2")
    records = [r for r in caplog.records if r.name == "forum_site.access"]
    assert [(r.request_id, r.method, r.path, r.status, r.cache) for r in records] == [
        ("req-1", "GET", "/en/events/zccf-2022/agenda/", 200, "miss"),
        ("req-2", "GET", "/en/events/zccf-2022/agenda/", 200, "hit"),
    ]
    assert all(isinstance(r.duration_ms, float) and r.duration_ms >= 0 for r in records)

    line = JSONFormatter().format(records[0])
    assert "\n" not in line
    entry = json.loads(line)
    assert {key: entry[key] for key in ("level", "logger", "message", "request_id", "method",
                                        "path", "status", "cache")} == {
        "level": "INFO", "logger": "forum_site.access",
        "message": "GET /en/events/zccf-2022/agenda/ 200", "request_id": "req-1",
        "method": "GET", "path": "/en/events/zccf-2022/agenda/", "status": 200, "cache": "miss",
    }
    assert set(entry) == {"time", "level", "logger", "message", "request_id", "method", "path",
                          "status", "duration_ms", "cache"}


@pytest.mark.django_db
def test_private_links_never_reach_the_logs(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get(f"/en/registration/{TOKEN}/", HTTP_X_REQUEST_ID="private")
        client.get(f"/en/registration/confirm/42:1tAbCd:{TOKEN}/")
    formatter = JSONFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines and all(TOKEN not in line for line in lines)
    access = [json.loads(line) for line in lines if '"forum_site.access"' in line]
    assert [entry["path"] for entry in access] == [
        "/en/registration/[redacted]/", "/en/registration/confirm/[redacted]/",
    ]


def test_redaction_keeps_the_fixed_registration_pages():
    assert redact("/en/registration/link/") == "/en/registration/link/"
    assert redact("/en/registration/erased/") == "/en/registration/erased/"
    assert redact(f"Not Found: /ja/registration/{TOKEN}/cancel/") == (
        "Not Found: /ja/registration/[redacted]/cancel/"
    )
    assert redact(f"/registration/{TOKEN}/calendar.ics") == "/registration/[redacted]/calendar.ics"


def test_log_lines_are_single_json_lines_with_the_request_id_and_traceback():
    logger = logging.getLogger("tests.production")
    record = logger.makeRecord("tests.production", logging.ERROR, __file__, 1,
                               "failed for %s", (f"/en/registration/{TOKEN}/",), None)
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record.exc_info = sys.exc_info()
    record.request = RequestFactory().get("/")  # Django passes it; it must not be dumped
    RequestIdFilter().filter(record)
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed for /en/registration/[redacted]/"
    assert entry["request_id"] == "-"
    assert "ValueError: boom\nsecond line" in entry["exception"]
    assert "request" not in entry


def test_the_redis_backend_reuses_one_client_and_behaves_like_djangos():
    import secrets
    import socket

    from forum_site.pagecache.backend import RedisCache

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("needs Redis at 127.0.0.1:6379")
    cache = RedisCache("redis://127.0.0.1:6379/15",
                       {"KEY_PREFIX": f"test-{secrets.token_hex(4)}", "TIMEOUT": 60})
    try:
        cache.set("a", {"x": 1})
        assert cache.add("b", 2) is True and cache.add("b", 3) is False
        assert cache.get_many(["a", "b", "missing"]) == {"a": {"x": 1}, "b": 2}
        assert cache.incr("b") == 3
        cache._cache.get_client().connection.disconnect()  # as after a Redis restart
        assert cache.get("a") == {"x": 1}
        assert cache._cache.get_client() is cache._cache.get_client(write=True)
    finally:
        cache.delete_many(["a", "b"])
