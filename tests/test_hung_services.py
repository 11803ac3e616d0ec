"""A Redis or PostgreSQL that accepts connections and never answers.

Each test opens a local TCP port that accepts every connection and then says
nothing: the worst kind of outage, since nothing is refused. The site must
give up within its configured timeouts (seconds) and answer as it does when
the service refuses connections: fresh pages without the cache, a quick 503
with Retry-After without the database, and /healthz within HEALTHZ_TIMEOUT.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import caches

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def silent_port():
    """A port on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def run_site(code, **environ):
    """Run ``code`` in a fresh process with the site's settings from ``environ``."""
    env = {**os.environ, "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "false",
           "DJANGO_SETTINGS_MODULE": "forum_site.settings", **environ}
    env.pop("PYTEST_VERSION", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    script = "import django, json, time\ndjango.setup()\n" + code
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


SETTINGS = """
from django.conf import settings
print(json.dumps({"cache": settings.CACHES["default"].get("OPTIONS"),
                  "db": settings.DATABASES["default"].get("OPTIONS")}))
"""


def test_the_timeouts_come_from_the_environment_in_seconds():
    configured = run_site(
        SETTINGS, CACHE_URL="redis://127.0.0.1:6379/11", REDIS_CONNECT_TIMEOUT="0.3",
        REDIS_SOCKET_TIMEOUT="0.7", DATABASE_URL="postgres://forum@127.0.0.1:5432/forum",
        DB_CONNECT_TIMEOUT="4", DB_STATEMENT_TIMEOUT="12.5",
    )
    assert configured["cache"] == {"socket_connect_timeout": 0.3, "socket_timeout": 0.7}
    assert configured["db"] == {
        "connect_timeout": 4, "options": "-c statement_timeout=12500",
        "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2,
    }


def test_the_defaults_bound_every_wait():
    configured = run_site(SETTINGS, CACHE_URL="redis://127.0.0.1:6379/11",
                          DATABASE_URL="postgres://forum@127.0.0.1:5432/forum")
    assert configured["cache"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert (configured["db"]["connect_timeout"], configured["db"]["options"]) == (
        3, "-c statement_timeout=30000"
    )


def test_a_hung_postgresql_gives_quick_503s_and_healthz_answers_in_time(silent_port, tmp_path):
    answers = run_site(
        """
from django.test import Client
client = Client()
answers = {}
for path in ["/healthz", "/healthz", "/en/", "/en/events/zccf-2022/agenda/"]:
    started = time.monotonic()
    response = client.get(path)
    answers.setdefault(path, []).append(
        [response.status_code, response.get("Retry-After"), round(time.monotonic() - started, 1)]
    )
print(json.dumps(answers))
""",
        DATABASE_URL=f"postgres://forum@127.0.0.1:{silent_port}/forum",
        DB_CONNECT_TIMEOUT="2", HEALTHZ_TIMEOUT="0.5", STATIC_MANIFEST="false",
        LOG_LEVEL="CRITICAL",
    )
    # /healthz gives up after HEALTHZ_TIMEOUT; the second probe finds the first
    # check still hanging and answers at once.
    [(first, retry, took), (second, _retry, took_again)] = answers["/healthz"]
    assert (first, second, retry) == (503, 503, "10")
    # Bounds are loose for a busy machine: without the timeouts each waits for minutes.
    assert took <= 2.0 and took_again <= 1.0
    for path in ("/en/", "/en/events/zccf-2022/agenda/"):
        [(status, retry, took)] = answers[path]
        assert (status, retry) == (503, "120")
        assert took <= 6.0  # DB_CONNECT_TIMEOUT (2 s), not minutes


@pytest.mark.django_db
def test_a_hung_redis_costs_each_page_its_timeouts_not_more(client, forum, settings,
                                                             silent_port):
    settings.CACHES = {"default": {
        "BACKEND": "forum_site.pagecache.backend.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{silent_port}/11",
        "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
    }}
    try:
        started = time.monotonic()
        response = client.get("/en/events/zccf-2022/agenda/")
        took = time.monotonic() - started
        assert (response.status_code, response["X-Page-Cache"]) == (200, "bypass")
        assert took < 3.0  # one lookup timed out; without timeouts it waits for ever
        health = client.get("/healthz")
        assert (health.status_code, health.content) == (200, b"ok\n")
    finally:
        caches["default"].close()


def test_healthz_probes_one_after_another_all_answer_200(db, client, monkeypatch):
    # A check that takes a moment to close its connection (as on PostgreSQL)
    # must still leave the next probe free to run: no false 503.
    from django.db import connection as real_connection

    from forum_site import health

    class SlowToClose:
        def cursor(self):
            return real_connection.cursor()

        def close(self):
            time.sleep(0.05)
            real_connection.close()

    monkeypatch.setattr(health, "connection", SlowToClose())
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
