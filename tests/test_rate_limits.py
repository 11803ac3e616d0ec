"""Rate limits without Redis (fail open, per process, loudly) and the link request's own count."""

import logging
import socket

import pytest
from django.core import mail
from django.core.cache import caches

from registration import ratelimit
from registration.models import Registration
from tests.registration_support import form_data, sign_up
from tests.test_hung_services import silent_port  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

REGISTER = "/en/events/zccf-2022/register/"


@pytest.fixture(autouse=True)
def _fresh_local_counts():
    ratelimit.forget_local_counts()
    yield
    ratelimit.forget_local_counts()


def closed_port():
    """A port on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["refused", "hung"])
def redis_down(request, settings):
    port = closed_port() if request.param == "refused" else request.getfixturevalue(
        "silent_port"
    )
    settings.CACHES = {"default": {
        "BACKEND": "forum_site.pagecache.backend.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/11",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}
    yield request.param
    caches["default"].close()


def test_sign_ups_go_on_without_redis_under_a_per_process_limit(forum, web, settings, caplog,
                                                                 redis_down):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (2, 3600), "email": (5, 3600)}
    caplog.set_level(logging.ERROR, logger="registration.ratelimit")
    for number in range(2):
        response = web.post(REGISTER, form_data(forum, email=f"p{number}@example.org"))
        assert (response.status_code, response["Location"]) == (
            302, "/en/events/zccf-2022/register/sent/"
        )
    refused = web.post(REGISTER, form_data(forum, email="p3@example.org"))
    assert (refused.status_code, refused["Retry-After"]) == (429, "3600")
    assert sorted(Registration.objects.values_list("email", flat=True)) == [
        "p0@example.org", "p1@example.org"
    ]
    messages = [record.getMessage() for record in caplog.records
                if record.name == "registration.ratelimit"]
    error = "ConnectionError" if redis_down == "refused" else "TimeoutError"
    # Each sign-up counts the IP and the address: every hit says so at ERROR level.
    assert messages[:2] == [
        f"rate limit ip: shared cache unavailable ({error}); counting in this process only",
        f"rate limit email: shared cache unavailable ({error}); counting in this process only",
    ]
    assert len(messages) == 5
    assert {record.levelname for record in caplog.records} == {"ERROR"}


def test_the_per_process_window_ends(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    assert [ratelimit._allow_local("k", 2, 60) for _ in range(3)] == [True, True, False]
    clock[0] += 61
    assert ratelimit._allow_local("k", 2, 60) is True


def test_sign_ups_with_an_address_do_not_lock_its_owner_out_of_the_link(forum, web, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (100, 3600), "email": (2, 3600),
                                         "link": (3, 3600)}
    sign_up(django_capture_on_commit_callbacks, forum)
    for number in range(2):  # someone else signs up with hanako's address, to the limit
        web.post(REGISTER, form_data(forum), REMOTE_ADDR=f"10.0.0.{number}")
    assert web.post(REGISTER, form_data(forum), REMOTE_ADDR="10.0.0.9").status_code == 429
    mail.outbox.clear()
    for _ in range(3):
        response = web.post("/en/registration/link/", {"email": "hanako@example.jp"})
        assert response["Location"] == "/en/registration/link/sent/"
    assert len(mail.outbox) == 3
    fourth = web.post("/en/registration/link/", {"email": "hanako@example.jp"})
    assert (fourth.status_code, fourth["Retry-After"]) == (429, "3600")


def test_the_link_limit_is_gentler_than_the_sign_up_limit_by_default():
    assert ratelimit.limits("email") == (5, 3600)
    assert ratelimit.limits("link") == (10, 3600)
