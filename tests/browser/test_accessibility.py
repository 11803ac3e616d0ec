"""Accessibility in Chromium: axe-core on every public page and form in every language,
no sideways scrolling on a phone, a visible skip link, and a print stylesheet."""

import pytest

from tests.browser.conftest import DESKTOP, LANGUAGES, PHONE, format_violations
from tests.browser.site_pages import public_pages, registrations

pytestmark = pytest.mark.django_db(transaction=True)

NOT_FOUND = {"invalid-link", "not-found"}


def overflow(page):
    """How many CSS pixels the page is wider than a 390 px phone screen (0 when it fits)."""
    page.set_viewport_size(PHONE)
    try:
        return page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
    finally:
        page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_passes_axe_and_fits_a_phone(new_context, axe, forum, dien_bien, lang):
    # axe-core is injected as a script tag, which the site's Content-Security-Policy
    # (rightly) refuses: this context alone bypasses it.
    page = new_context(bypass_csp=True).new_page()
    confirm_value, token = registrations(forum)
    violations, too_wide, statuses = [], [], []
    pages = public_pages(lang, forum, dien_bien, confirm_value, token, every_session=lang == "en")
    for name, path in pages:
        response = page.goto(path)
        expected = 404 if name in NOT_FOUND else 200
        if response.status != expected:
            statuses.append(f"{path}: {response.status}, expected {expected}")
            continue
        assert page.locator("html").get_attribute("lang") == lang, path
        found = axe(page)
        if found:
            violations.append(format_violations(path, found))
        if (extra := overflow(page)) > 0:
            too_wide.append(f"{path}: {extra}px too wide at 390px")

    # The forms again, as they come back with errors.
    for name, path in pages:
        if name.endswith("-register") or name == "request-link":
            page.goto(path)
            if page.locator("form[method='post'] button[type='submit']").count() == 0:
                continue  # registration closed
            page.locator("main form[method='post'] button[type='submit']").last.click()
            page.locator(".error-summary").wait_for()
            found = axe(page)
            if found:
                violations.append(format_violations(f"{path} (with errors)", found))
            if (extra := overflow(page)) > 0:
                too_wide.append(f"{path} (with errors): {extra}px too wide at 390px")

    assert not statuses, "\n".join(statuses)
    assert not violations, "axe-core found problems:\n" + "\n".join(violations)
    assert not too_wide, "\n".join(too_wide)


def test_the_skip_link_is_the_first_tab_stop_and_visible_when_focused(page, forum):
    page.goto("/en/events/zccf-2022/agenda/")
    skip = page.locator(".skip-link")
    assert skip.bounding_box()["y"] + skip.bounding_box()["height"] <= 0  # off-screen at rest

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    style = skip.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }")
    assert style[0] != "none" and style[1] != "0px"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_every_link_and_control_shows_where_the_focus_is(page, forum):
    page.goto("/en/events/zccf-2022/agenda/")
    unfocused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            """() => { const el = document.activeElement, s = getComputedStyle(el);
                       return [el.outerHTML.slice(0, 80), s.outlineStyle, s.outlineWidth,
                               s.boxShadow]; }""")
        html, style, width, shadow = outline
        if (style == "none" or width == "0px") and shadow == "none":
            unfocused.append(html)
    assert not unfocused


def test_the_agenda_prints_without_the_picker_and_navigation(page, forum):
    page.goto("/en/events/zccf-2022/agenda/")
    assert page.locator(".zone-picker").is_visible()
    page.emulate_media(media="print")
    for hidden in (".zone-picker", ".site-header", ".event-nav", ".calendar-menu",
                   ".skip-link", ".site-footer"):
        assert page.locator(hidden).first.is_hidden(), f"{hidden} is printed"
    assert page.locator("table.programme").first.is_visible()
    assert page.locator("h1").is_visible()
    page.emulate_media(media="screen")
    assert page.locator(".zone-picker").is_visible()
