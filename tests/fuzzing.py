"""What the fuzz tests share: Hypothesis settings, nasty text, URLs, the stored-rows check.

The fuzz sends 10,000 generated requests per run in all, from two files so
that two workers share them: tests/test_fuzz_public_urls.py (GET: URLs,
parameters, headers, cookies) and tests/test_fuzz_forms.py (POST: the sign-up
and private-link forms). FUZZ_SCALE=0.1 sends a tenth, for a quick local look.
See docs/reliability.md.
"""

import os
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from agenda.models import Session
from registration.models import Registration

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


