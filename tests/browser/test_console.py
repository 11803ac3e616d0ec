"""The browser console stays clean: no script error, no refused resource, no missing file."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/en/",
    "/en/events/zccf-2022/",
    "/en/events/zccf-2022/agenda/",
    "/ja/events/zccf-2022/sessions/parallel-session-1/?tz=Europe/Paris",
    "/vi/events/dien-bien-2024/agenda/",
    "/en/events/zccf-2022/register/",
]


def test_no_errors_in_the_console(new_context, forum):
    # Berlin is not an event zone, so the zone-offer script has work to do.
    page = new_context(timezone_id="Europe/Berlin").new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(
        f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("requestfailed", lambda request: errors.append(
        f"{page.url}: {request.url} failed"))
    page.on("response", lambda response: response.status >= 400 and errors.append(
        f"{page.url}: {response.url} answered {response.status}"))
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("load")
    page.goto(PAGES[2])
    page.locator(".zone-offer").wait_for(state="visible")
    assert not errors, "\n".join(errors)
