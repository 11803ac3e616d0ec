"""Security under production settings: headers, cookies, admin address and login throttling.

The test settings are the production ones (DEBUG off, HTTPS cookies, HSTS)
except for the HTTPS redirect (tests/conftest.py); requests that must look
like HTTPS say ``secure=True``.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent

EXPECTED_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}
EXPECTED_PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def csp_directives(response):
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.mark.parametrize("served", ["miss", "hit"])
@pytest.mark.parametrize("path", ["/en/events/zccf-2022/agenda/", "/ja/",
                                  "/events/zccf-2022/calendar.ics"])
def test_public_pages_send_every_security_header(client, forum, path, served):
    response = client.get(path, secure=True)
    if served == "hit":
        response = client.get(path, secure=True)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == served
    assert csp_directives(response) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == EXPECTED_PERMISSIONS
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_registration_form_gets_the_headers_and_secure_httponly_cookies(client, forum):
    response = client.get("/en/events/zccf-2022/register/", secure=True)
    assert response.status_code == 200
    assert csp_directives(response) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    csrf = response.cookies["csrftoken"]
    assert (bool(csrf["secure"]), bool(csrf["httponly"]), csrf["samesite"]) == (True, True, "Lax")


def test_the_zone_cookie_is_secure_and_httponly_over_https(client, forum):
    response = client.get("/en/events/zccf-2022/agenda/", {"tz": "Asia/Tokyo"}, secure=True)
    cookie = response.cookies["tz"]
    assert (cookie.value, bool(cookie["secure"]), bool(cookie["httponly"])) == (
        "Asia/Tokyo", True, True
    )


def test_session_cookie_of_an_organiser_is_secure_and_httponly(client):
    get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "organiser", "password": "pw-Forum-2022"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (bool(session["secure"]), bool(session["httponly"])) == (True, True)


def test_the_site_has_no_inline_script(client, forum):
    # JSON-LD blocks are data, never run, so the policy needs no exception for them.
    for path in ["/en/", "/en/events/zccf-2022/", "/en/events/zccf-2022/agenda/",
                 "/en/events/zccf-2022/register/"]:
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert " src=" in tag or 'type="application/ld+json"' in tag, (path, tag)


def test_failed_admin_logins_are_throttled_per_user_and_address(client, settings):
    get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post("/admin/login/", {"username": "organiser", "password": "guess"})
        assert wrong.status_code == 200  # the login form again, with its error
    last = client.post("/admin/login/", {"username": "organiser", "password": "guess"})
    assert last.status_code == 429
    locked = client.post("/admin/login/", {"username": "organiser", "password": "pw-Forum-2022"})
    assert locked.status_code == 429
    elsewhere = client.post("/admin/login/", {"username": "organiser",
                                              "password": "pw-Forum-2022"},
                            REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 302  # another address is not locked out


def test_force_login_still_works_with_login_throttling(client):
    user = get_user_model().objects.create_superuser("organiser", "o@example.org", "pw")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def _manage(*args, **env):
    """Run manage.py with production-like settings from the environment."""
    environment = {
        key: value for key, value in os.environ.items()
        # The browser tests allow async-unsafe calls in this process; production never does.
        if key not in ("DATABASE_URL", "CACHE_URL", "DEBUG", "PYTEST_VERSION",
                       "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="forum.example.org",
        SITE_URL="https://forum.example.org",
        DATABASE_URL="sqlite:///:memory:",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     CACHE_URL="redis://127.0.0.1:6379/1", BEHIND_TLS_PROXY="true",
                     EMAIL_URL="smtp+tls://forum:secret@smtp.example.org:587")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_when_emails_would_be_printed_to_the_logs():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     CACHE_URL="redis://127.0.0.1:6379/1", BEHIND_TLS_PROXY="true")
    assert result.returncode == 1
    assert "?: (registration.W001) EMAIL_URL is not set: every email (names, addresses, " \
           "private registration links) is printed on stdout, into the server's logs, and " \
           "reaches nobody." in result.stderr
    assert "System check identified 1 issue (0 silenced)." in result.stderr


def test_a_refused_next_address_after_admin_login_lands_on_the_admin_index(client):
    get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    for unsafe in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(f"/admin/login/?next={unsafe}",
                               {"username": "organiser", "password": "pw-Forum-2022"})
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        client.logout()
    response = client.post("/admin/login/?next=/admin/agenda/event/",
                           {"username": "organiser", "password": "pw-Forum-2022"})
    assert response["Location"] == "/admin/agenda/event/"


def test_the_admin_address_comes_from_admin_url():
    script = (
        "from django.urls import resolve, Resolver404\n"
        "print(resolve('/backstage/login/').url_name)\n"
        "try:\n    resolve('/admin/login/')\nexcept Resolver404:\n    print('no admin/')\n"
    )
    result = _manage("shell", "--no-imports", "-c", script, ADMIN_URL="/backstage/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["login", "no", "admin/"]


def test_proxy_settings_are_configurable():
    script = (
        "from django.conf import settings as s\n"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.CLIENT_IP_HEADER)\n"
    )
    result = _manage("shell", "--no-imports", "-c", script, BEHIND_TLS_PROXY="true",
                     SECURE_HSTS_SECONDS="600", CLIENT_IP_HEADER="X-Real-IP")
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') 600 X-Real-IP"


def test_a_static_cdn_is_allowed_by_the_content_security_policy():
    script = (
        "from django.conf import settings as s\n"
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']\n"
        "print(s.STATIC_URL, d['script-src'], d['style-src'], d['default-src'])\n"
    )
    result = _manage("shell", "--no-imports", "-c", script,
                     STATIC_URL="https://cdn.example.org/static/")
    assert result.stdout.strip() == (
        "https://cdn.example.org/static/ [\"'self'\", 'https://cdn.example.org'] "
        "[\"'self'\", 'https://cdn.example.org'] [\"'self'\"]"
    )


def test_client_ip_header_feeds_rate_limits_and_login_throttling(client, settings):
    from django.http import HttpResponse

    from forum_site.middleware import ClientIPMiddleware

    settings.CLIENT_IP_HEADER = "X-Real-IP"
    seen = []
    middleware = ClientIPMiddleware(lambda request: seen.append(request.META["REMOTE_ADDR"])
                                    or HttpResponse())
    from django.test import RequestFactory

    middleware(RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.9"))
    middleware(RequestFactory().get("/"))
    settings.CLIENT_IP_HEADER = ""
    ClientIPMiddleware(lambda request: seen.append(request.META["REMOTE_ADDR"])
                       or HttpResponse())(RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.9"))
    assert seen == ["203.0.113.9", "127.0.0.1", "127.0.0.1"]
