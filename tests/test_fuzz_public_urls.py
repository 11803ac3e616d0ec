"""Generated bad input against every public URL, parameter, form field and header.

Property: whatever arrives, the site answers below 500 and keeps what it had
stored. Each generated example is one request; the four generated tests send
10,000 requests per run in total (FUZZ_SCALE=0.1 sends a tenth, for a quick
local look). See docs/reliability.md.
"""

import os
import unicodedata
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.models import Session
from registration.forms import RegistrationForm
from registration.models import Registration

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz(examples):
    """Hypothesis settings for a test that sends ``examples`` requests."""
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large],
        derandomize=True,  # the same inputs every run: a failure here is reproducible
        database=None,
    )

NASTY = [
    "\x00", "a\x00b", "\ud800", "\udfff", "\u202eevil\u202c", "مرحبا بالعالم", "שלום",
    "山口壯", "Điện Biên", "Đ", unicodedata.normalize("NFD", "Điện Biên"), "🌏🔥" * 50,
    "'; DROP TABLE agenda_session; --", "\" OR 1=1 --", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "{% debug %}", "%00", "%ff%fe", "../../etc/passwd",
    "Asia/Tokyo", "America/New_York", "Europe/Paris", "UTC", "", " ", "\r\n", "\t",
    "x" * 70, "9" * 30, "-1", "0", "1e309", "NaN", "null", "[]", "{}",
]

text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.builds(lambda s, n: s * n, st.sampled_from(NASTY[:12]), st.integers(1, 300)),
)


def raw(value: str) -> str:
    """Percent-encode, passing lone surrogates through as their (invalid) UTF-8 bytes."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


PAGE_PATHS = [
    "/{lang}/",
    "/{lang}/events/{event}/",
    "/{lang}/events/{event}/agenda/",
    "/{lang}/events/{event}/sessions/{session}/",
    "/{lang}/events/{event}/speakers/",
    "/{lang}/events/{event}/speakers/{speaker}/",
    "/{lang}/events/{event}/register/",
    "/{lang}/events/{event}/privacy/",
    "/{lang}/registration/{token}/",
    "/{lang}/registration/confirm/{token}/",
    "/{lang}/registration/link/",
    "/{lang}/events/{event}/changes/",
]
FEED_PATHS = [
    "/events/{event}/calendar.ics",
    "/events/{event}/days/{day}.ics",
    "/events/{event}/sessions/{session}.ics",
    "/events/{event}/schedule.json",
    "/registration/{token}/calendar.ics",
    "/healthz",
]
PARAMETERS = ["tz", "lang", "page", "q", "event", "session", "token", "utm_source"]
real_slugs = st.sampled_from(["zccf-2022", "dien-bien-2024", "session-1", "parallel-session-2",
                              "yamaguchi-tsuyoshi"])
segment = st.one_of(real_slugs, text)


@pytest.fixture
def stored(seed_events):
    """Row counts before the storm, to prove nothing stored was lost."""
    return {"sessions": Session.objects.count(), "registrations": Registration.objects.count()}


def assert_nothing_lost(stored):
    assert Session.objects.count() == stored["sessions"]
    assert Registration.objects.count() >= stored["registrations"]


@fuzz(4_000)
@given(
    template=st.sampled_from(PAGE_PATHS + FEED_PATHS),
    lang=st.one_of(st.sampled_from(["en", "ja", "vi"]), text),
    event=segment, session=segment, speaker=segment, token=segment,
    day=st.one_of(st.integers(-5, 10).map(str), text),
    params=st.dictionaries(st.sampled_from(PARAMETERS), text, max_size=4),
)
def test_pages_and_feeds_never_fail_on_generated_urls(
    client, stored, template, lang, event, session, speaker, token, day, params
):
    path = template.format(lang=raw(lang), event=raw(event), session=raw(session),
                           speaker=raw(speaker), token=raw(token), day=raw(day))
    query = "&".join(f"{raw(k)}={raw(v)}" for k, v in params.items())
    response = client.get(f"{path}?{query}" if query else path)
    assert response.status_code < 500, (path, query, response.status_code)
    assert_nothing_lost(stored)


@fuzz(2_500)
@given(
    template=st.sampled_from(PAGE_PATHS[:6] + FEED_PATHS[:4]),
    accept_language=text,
    cookie_zone=text,
    cookie_size=st.sampled_from([0, 100, 4_000, 16_000]),
)
def test_headers_and_cookies_never_fail(client, stored, template, accept_language, cookie_zone,
                                        cookie_size):
    path = template.format(lang="en", event="zccf-2022", session="session-1",
                           speaker="yamaguchi-tsuyoshi", token="x", day="1")
    visitor = Client(HTTP_ACCEPT_LANGUAGE=accept_language.encode("utf-8", "surrogatepass")
                     .decode("latin-1"))
    visitor.cookies["tz"] = raw(cookie_zone)
    if cookie_size:
        visitor.cookies["junk"] = "j" * cookie_size
    response = visitor.get(path)
    assert response.status_code < 500, (path, accept_language, response.status_code)
    assert_nothing_lost(stored)


def registration_fields(event):
    form = RegistrationForm(event)
    return list(form.fields)


@fuzz(1_000)
@given(data=st.data())
def test_registration_form_never_fails_on_generated_fields(client, stored, forum, data):
    fields = registration_fields(forum)
    values = data.draw(st.dictionaries(st.sampled_from(fields), text, min_size=1))
    # Keep a valid-looking core most of the time so deeper validation runs too.
    if data.draw(st.booleans()):
        values.setdefault("email", "fuzz@example.org")
        values.setdefault("privacy_consent", "on")
    body = "&".join(f"{raw(k)}={raw(v)}" for k, v in values.items())
    response = client.generic(
        "POST", "/en/events/zccf-2022/register/", body,
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR=f"10.0.{data.draw(st.integers(0, 255))}.{data.draw(st.integers(1, 254))}",
    )
    assert response.status_code < 500, (values, response.status_code)
    assert_nothing_lost(stored)


@fuzz(2_500)
@given(data=st.data())
def test_link_request_and_private_forms_never_fail(client, stored, data):
    path = data.draw(st.sampled_from([
        "/en/registration/link/",
        f"/en/registration/{raw(data.draw(segment))}/choices/",
        f"/en/registration/{raw(data.draw(segment))}/preferences/",
        f"/en/registration/{raw(data.draw(segment))}/cancel/",
        f"/en/registration/{raw(data.draw(segment))}/erase/",
    ]))
    values = data.draw(st.dictionaries(st.sampled_from(["email", "homepage", "language",
                                                        "channel", "confirm"]), text))
    body = "&".join(f"{raw(k)}={raw(v)}" for k, v in values.items())
    response = client.generic("POST", path, body,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (path, values, response.status_code)
    assert_nothing_lost(stored)


def test_a_one_megabyte_value_is_refused_with_413(client, forum):
    body = "full_name=" + "x" * 1_000_000
    response = client.generic("POST", "/en/events/zccf-2022/register/", body,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_a_one_megabyte_query_value_is_ignored(client, forum):
    response = client.get("/en/events/zccf-2022/agenda/?tz=" + "x" * 1_000_000)
    assert response.status_code == 200
    assert response.context["rejected_zone"] == "x" * 64
