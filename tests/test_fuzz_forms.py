"""Generated bad input against the sign-up form and the private-link forms.

Property: whatever is posted, the site answers below 500 and keeps what it
had stored. Each generated example is one request: 3,500 here, and 6,500 GETs
in tests/test_fuzz_public_urls.py (tests/fuzzing.py, docs/reliability.md).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registration.forms import RegistrationForm
from tests.fuzzing import assert_nothing_lost, fuzz, raw, segment, stored, text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
__all__ = ["stored"]  # the fixture, used by name


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
