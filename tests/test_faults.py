"""Faults: the database lost in the middle of a registration, the cache unreachable.

These tests commit for real (``transaction=True``), so that "nothing
half-written" is checked against what the database kept after a real
rollback, not against a test transaction that hides it.
"""

from unittest import mock

import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError, connection
from post_office.models import Email

from registration import services, tokens
from registration.models import Registration, RegistrationEmail, SessionChoice
from tests.registration_support import details, form_data

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER = "/{language}/events/zccf-2022/register/"
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "forum_site.pagecache.backend.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "forum-faults",
    }
}
UNAVAILABLE = {
    "en": "<h1>Temporarily unavailable</h1>",
    "ja": "<h1>一時的にご利用いただけません</h1>",
    "vi": "<h1>Tạm thời không khả dụng</h1>",
}


def nothing_written():
    return (
        Registration.objects.count(),
        SessionChoice.objects.count(),
        RegistrationEmail.objects.count(),
        Email.objects.count(),
        len(mail.outbox),
    ) == (0, 0, 0, 0, 0)


def assert_unavailable(response, language):
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    assert UNAVAILABLE[language] in page


def fail_after(original, error):
    """``original`` runs (and writes), then the connection "drops"."""

    def step(*args, **kwargs):
        original(*args, **kwargs)
        raise error

    return step


@pytest.mark.parametrize("language", ["en", "ja", "vi"])
def test_database_lost_after_the_first_writes_of_a_sign_up(forum, client, language):
    error = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(
        services, "_replace_choices", fail_after(services._replace_choices, error)
    ):
        response = client.post(REGISTER.format(language=language), form_data(forum))
    assert_unavailable(response, language)
    assert nothing_written()


def test_database_lost_after_the_email_was_stored(forum, client):
    from registration import emails

    error = InterfaceError("connection already closed")
    with mock.patch.object(emails, "store", fail_after(emails.store, error)):
        response = client.post(REGISTER.format(language="en"), form_data(forum))
    assert_unavailable(response, "en")
    assert nothing_written()


def test_database_lost_during_confirmation_keeps_the_registration_pending(forum, client):
    registration = services.register(forum, details(forum))
    mail.outbox.clear()
    value = tokens.sign_confirmation(registration.pk)
    error = OperationalError("terminating connection due to administrator command")
    with mock.patch.object(services, "_allocate", side_effect=error):
        response = client.post(f"/ja/registration/confirm/{value}/")
    assert_unavailable(response, "ja")
    registration.refresh_from_db()
    assert (registration.status, registration.seat_requested_at) == (
        Registration.Status.PENDING, None
    )
    assert set(registration.choices.values_list("status", flat=True)) == {"inactive"}
    assert list(RegistrationEmail.objects.values_list("kind", flat=True)) == [
        "confirmation_request"
    ]
    assert mail.outbox == []

    # The database is back: the same link works.
    response = client.post(f"/ja/registration/confirm/{value}/")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    [outcome] = mail.outbox
    assert outcome.to == ["hanako@example.jp"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
def test_postgresql_backend_killed_mid_sign_up(forum, client):
    # Not a simulated error: the server ends this very connection, after the
    # registration row and its choices were written.
    original = services._replace_choices

    def killed(*args, **kwargs):
        original(*args, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    with mock.patch.object(services, "_replace_choices", killed):
        response = client.post(REGISTER.format(language="vi"), form_data(forum))
    assert_unavailable(response, "vi")
    connection.close()  # the test's own handle to the killed connection
    assert nothing_written()


def test_public_pages_are_served_uncached_when_the_cache_is_unreachable(
    forum, client, settings, caplog
):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.get("/en/events/zccf-2022/agenda/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "bypass"
    assert "Zero Carbon City International Forum" in response.content.decode()
    assert "page cache unavailable; serving /en/events/zccf-2022/agenda/ uncached" in caplog.text


def test_a_sign_up_when_the_cache_is_unreachable_goes_through(forum, client, settings,
                                                               caplog):
    # The rate limits live in the cache: without it they fail open to a
    # per-process count (registration/ratelimit.py, tests/test_rate_limits.py),
    # logged as errors, so sign-ups go on during a Redis outage.
    from registration import ratelimit
    from registration.models import Registration

    ratelimit.forget_local_counts()
    settings.CACHES = UNREACHABLE_REDIS
    response = client.post(REGISTER.format(language="ja"), form_data(forum))
    assert (response.status_code, response["Location"]) == (
        302, "/ja/events/zccf-2022/register/sent/"
    )
    assert list(Registration.objects.values_list("email", flat=True)) == ["hanako@example.jp"]
    assert "rate limit ip: shared cache unavailable (ConnectionError)" in caplog.text
    ratelimit.forget_local_counts()
