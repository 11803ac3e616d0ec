"""Screenshots of the main pages on a desktop (1280 px) and a phone (390 px).

They land in test-artifacts/screenshots/ (not committed); docs/screenshots/
holds a copy of the current ones for the README (see docs/quality.md).
"""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.site_pages import registrations

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    ("events", "/{lang}/", ["en"]),
    ("overview", "/{lang}/events/zccf-2022/", ["en", "vi"]),
    ("agenda", "/{lang}/events/zccf-2022/agenda/", ["en", "ja", "vi"]),
    ("agenda-paris", "/{lang}/events/zccf-2022/agenda/?tz=Europe/Paris", ["en"]),
    ("session", "/{lang}/events/zccf-2022/sessions/parallel-session-1/?tz=Europe/Paris",
     ["en", "ja"]),
    ("register", "/{lang}/events/zccf-2022/register/", ["en", "ja"]),
    ("changes", "/{lang}/events/zccf-2022/changes/", ["en", "ja"]),
    ("dien-bien", "/{lang}/events/dien-bien-2024/", ["vi"]),
]


@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_the_main_pages(new_context, forum, device, viewport):
    _confirm, token = registrations(forum)
    page = new_context(viewport=viewport, device_scale_factor=1).new_page()
    shots = [
        (f"{name}-{lang}-{device}", path.format(lang=lang))
        for name, path, languages in PAGES for lang in languages
    ] + [(f"private-page-en-{device}", f"/en/registration/{token}/")]
    for name, path in shots:
        response = page.goto(path)
        assert response.status == 200, path
        saved = screenshot(page, name)
        assert saved.stat().st_size > 10_000
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
