"""Generated bad input against every public URL, parameter, header and cookie.

Property: whatever arrives, the site answers below 500 and keeps what it had
stored. Each generated example is one request: 6,500 here, and 3,500 POSTs in
tests/test_fuzz_forms.py (tests/fuzzing.py, docs/reliability.md).
"""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import (
    FEED_PATHS,
    PAGE_PATHS,
    PARAMETERS,
    assert_nothing_lost,
    fuzz,
    raw,
    segment,
    stored,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
__all__ = ["stored"]  # the fixture, used by name


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


def test_a_one_megabyte_query_value_is_ignored(client, forum):
    response = client.get("/en/events/zccf-2022/agenda/?tz=" + "x" * 1_000_000)
    assert response.status_code == 200
    assert response.context["rejected_zone"] == "x" * 64
