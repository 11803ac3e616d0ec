"""Two app instances, one PostgreSQL, one Redis: shared invalidation and no overbooking.

Starts two gunicorn instances on their own ports against the test database
and a Redis database of their own, then

- edits a session through instance A's admin and reads the agenda through
  instance B at once: B must render the edit (the event's generation lives in
  Redis, so B's cached copy, even the one in its own memory, is not used);
- sends concurrent confirmation POSTs spread over A and B for an event with
  fewer seats than people: never more confirmed than seats.

Needs PostgreSQL (DATABASE_URL) and Redis (SCALE_OUT_REDIS_URL, default
redis://127.0.0.1:6379/15); without them it skips and says why, unless
SCALE_OUT_REQUIRED=1 (CI) makes that a failure.
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from agenda.models import Event, Session
from registration import services, tokens
from registration.models import Registration, SessionChoice
from tests.redis_support import redis_answers

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/15")
SEATS = 4
PEOPLE = 12
SESSION_SEATS = 2

# The instances run on the real clock, so this process does too (links signed
# here must still be fresh there).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.real_clock]


def _unavailable(reason):
    if os.environ.get("SCALE_OUT_REQUIRED") == "1":
        pytest.fail(f"scale-out test required but {reason}")
    pytest.skip(reason)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Instance:
    """One gunicorn serving the site on 127.0.0.1:<port>."""

    def __init__(self, name, env):
        self.name = name
        self.port = _free_port()
        self.log = open(BASE_DIR / f".scale-out-{name}-{os.getpid()}.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "forum_site.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--timeout", "60"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"{self.name} did not start:\n{self.output()}")

    def request(self, method, path, *, data=None, cookies=None, headers=None):
        """(status, headers, body) without following redirects."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return response.status, response, response.read().decode()
        finally:
            conn.close()

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-5000:]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def instances():
    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL shared by both instances (set DATABASE_URL=postgres://…)")
    if not redis_answers(REDIS_URL):
        _unavailable(f"needs Redis shared by both instances; none answers at {REDIS_URL}")
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,  # confirmation links are signed with it
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        CACHE_URL=REDIS_URL,
        CACHE_KEY_PREFIX=f"scale-out-{secrets.token_hex(4)}",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_MANIFEST="false",
        EMAIL_URL="dummymail://",
        ACCESS_LOG="false",
        REGISTRATION_RATE_LIMIT_IP="100000",
    )
    started = [Instance("a", env), Instance("b", env)]
    try:
        deadline = time.monotonic() + 30
        for instance in started:
            instance.wait_until_up(deadline)
        yield started
    finally:
        for instance in started:
            instance.stop()


class _FormReader(HTMLParser):
    """The fields of a POST form (the first, or ``form_id``) as a browser would send them."""

    def __init__(self, form_id=None):
        super().__init__()
        self.form_id = form_id
        self.fields, self.in_form, self.done = [], False, False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (tag == "form" and attrs.get("method", "").lower() == "post" and not self.done
                and (self.form_id is None or attrs.get("id") == self.form_id)):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if attrs.get("type") ==
                                                "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                name, value = self.fields[-1]
                self.fields[-1] = (name, value.removeprefix("\n"))
            self._textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def _form(html, form_id=None):
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def _cookies(response):
    jar = {}
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name] = rest.split(";", 1)[0]
    return jar


def _log_in(instance):
    status, response, html = instance.request("GET", "/admin/login/")
    assert status == 200, html
    cookies = _cookies(response)
    fields = dict(_form(html, "login-form"))
    fields.update(username="organiser", password="pw-Scale-Out-1", next="/admin/")
    status, response, html = instance.request("POST", "/admin/login/", data=fields,
                                              cookies=cookies)
    assert status == 302, html[:2000]
    cookies.update(_cookies(response))
    return cookies


def _agenda(instance):
    status, response, html = instance.request("GET", "/en/events/zccf-2022/agenda/")
    assert status == 200
    return response.getheader("X-Page-Cache"), html


def test_an_edit_through_one_instance_shows_at_once_through_the_other(instances):
    a, b = instances
    call_command("loaddata", "zccf-2022", verbosity=0)
    get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Scale-Out-1")
    session = Session.objects.get(event__slug="zccf-2022", slug="session-1")

    # Both instances hold the agenda: in Redis and in each process's own memory.
    for instance in (b, a, b, a, b, a):
        state, html = _agenda(instance)
    assert state == "hit"
    assert "Scaled-out edit" not in html

    cookies = _log_in(a)
    change = f"/admin/agenda/session/{session.pk}/change/"
    status, _response, html = a.request("GET", change, cookies=cookies)
    assert status == 200
    fields = [(name, "Scaled-out edit" if name == "title_en" else value)
              for name, value in _form(html, "session_form")]
    assert ("title_en", "Scaled-out edit") in fields
    status, _response, html = a.request("POST", change, data=fields, cookies=cookies)
    assert status == 302, re.findall(r'class="errorlist[^"]*">(.*?)</ul>', html, re.S)

    state, html = _agenda(b)
    assert state == "miss"
    assert "Scaled-out edit" in html
    for instance in (a, b):
        status, _response, ics = instance.request("GET", "/events/zccf-2022/calendar.ics")
        assert status == 200 and "Scaled-out edit" in ics
    assert _agenda(a) == ("hit", html)


def test_concurrent_confirmations_across_instances_never_overbook(instances):
    a, b = instances
    call_command("loaddata", "zccf-2022", verbosity=0)
    event = Event.objects.get(slug="zccf-2022")
    Event.objects.filter(pk=event.pk).update(capacity=SEATS)
    event.refresh_from_db()
    popular = Session.objects.get(event=event, slug="parallel-session-1")
    Session.objects.filter(pk=popular.pk).update(capacity=SESSION_SEATS)
    choices = [popular, Session.objects.get(event=event, slug="parallel-session-3")]
    # The forum is over in real time: sign up as if before it (confirming
    # is what this test is about, and the links are signed afterwards, now).
    with time_machine.travel(datetime(2022, 3, 1, 12, 0, tzinfo=UTC)):
        registrations = [
            services.register(event, services.Details(
                full_name=f"Người tham dự {n}", email=f"scale{n}@example.org",
                choices=choices,
            ))
            for n in range(PEOPLE)
        ]
    links = [f"/en/registration/confirm/{tokens.sign_confirmation(r.pk)}/" for r in registrations]

    # One CSRF cookie and token serve every POST (the cookie's secret is what counts).
    status, response, html = a.request("GET", links[0])
    assert status == 200
    cookies = _cookies(response)
    token = dict(_form(html))["csrfmiddlewaretoken"]

    barrier = threading.Barrier(PEOPLE)
    results = [None] * PEOPLE

    def confirm(index):
        instance = (a, b)[index % 2]
        barrier.wait(timeout=30)
        results[index] = instance.request(
            "POST", links[index], data={"csrfmiddlewaretoken": token}, cookies=cookies,
        )[0]

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert results == [302] * PEOPLE, (results, a.output(), b.output())
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (SEATS, PEOPLE - SEATS)
    seated = SessionChoice.objects.filter(session=popular, status="confirmed").count()
    assert seated == SESSION_SEATS
