"""CLIENT_IP_HEADER: only a well-formed IP address from the proxy replaces REMOTE_ADDR.

A forged or malformed value (``not-an-ip``) must neither reach the database
(PostgreSQL's ``inet`` column of django-axes refused it with a 500) nor give a
client a fresh identity with each request (which bypassed the rate limits).
"""

from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from forum_site.middleware import parse_client_ip
from registration.models import Registration
from tests.registration_support import form_data

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
REGISTER = "/en/events/zccf-2022/register/"


@pytest.mark.parametrize(("value", "address"), [
    ("203.0.113.9", "203.0.113.9"),
    (" 203.0.113.9 ", "203.0.113.9"),
    ("2001:DB8::1", "2001:db8::1"),
    ("198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the address the nearest proxy added
    ("", ""),
    ("not-an-ip", ""),
    ("203.0.113.9:8080", ""),
    ("999.1.1.1", ""),
    ("fe80::1%eth0", ""),
    ("203.0.113.9\x00", ""),
    ("x" * 5000, ""),
])
def test_the_header_is_read_as_one_ip_address(value, address):
    assert parse_client_ip(value) == address


@pytest.fixture
def behind_proxy(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"


@pytest.mark.parametrize("value", ["not-an-ip", "", "1.2.3.4.5"])
def test_a_malformed_header_on_the_admin_login_falls_back_to_the_peer_address(client,
                                                                                behind_proxy,
                                                                                value):
    get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    response = client.post("/admin/login/", {"username": "organiser", "password": "guess"},
                           HTTP_X_REAL_IP=value)
    assert response.status_code == 200  # the login form again, with its error
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]


def test_a_well_formed_header_is_the_address_axes_counts(client, behind_proxy):
    client.post("/admin/login/", {"username": "nobody", "password": "guess"},
                HTTP_X_REAL_IP="203.0.113.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_rotating_garbage_in_the_header_does_not_escape_the_sign_up_limit(client, forum,
                                                                           behind_proxy,
                                                                           settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (2, 3600), "email": (100, 3600)}
    statuses = [
        client.post(REGISTER, form_data(forum, email=f"p{number}@example.org"),
                    HTTP_X_REAL_IP=f"forged-{number}").status_code
        for number in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_env_example_leaves_the_header_off():
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    assert [line for line in lines if line.startswith("CLIENT_IP_HEADER")] == [
        "CLIENT_IP_HEADER="
    ]
