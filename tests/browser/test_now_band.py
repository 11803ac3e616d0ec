"""The "Now" band while the forum is live, in Chromium: parallel sessions side by side on a
desktop and one above the other on a phone, axe-clean, and the jump-to-now link."""

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from agenda.models import Session
from tests.browser.conftest import DESKTOP, PHONE, format_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# 07:30 EST on 10 March 2022: parallel sessions 1 and 2 are running.
DURING_PARALLEL_1_AND_2 = datetime(2022, 3, 10, 12, 30, tzinfo=UTC)
AGENDA = "/en/events/zccf-2022/agenda/"


def boxes(page):
    sessions = page.locator(".now-band .now-band__session")
    assert sessions.count() == 2
    return [sessions.nth(i).bounding_box() for i in range(2)]


@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_now_band_on_a_phone_and_a_desktop(new_context, axe, forum, device, viewport):
    forum.livestream_url = "https://live.example.org/zccf"
    forum.save()
    titles = [Session.objects.get(slug=slug).title_en
              for slug in ("parallel-session-1", "parallel-session-2")]
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    with time_machine.travel(DURING_PARALLEL_1_AND_2):
        page.goto(AGENDA)
        band = page.locator("section.now-band")
        assert band.get_by_role("heading", name="Now", exact=True).is_visible()
        assert [band.get_by_role("link", name=title).is_visible() for title in titles] == [
            True, True]
        buttons = band.get_by_role("link", name="Watch the livestream")
        assert buttons.count() == 2
        assert buttons.first.get_attribute("href") == "https://live.example.org/zccf"
        first, second = boxes(page)
        if device == "desktop":
            assert first["y"] == second["y"] and first["x"] < second["x"]  # side by side
        else:
            assert second["y"] >= first["y"] + first["height"]  # one above the other
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        violations = axe(page)
        assert violations == [], format_violations(AGENDA, violations)
        screenshot(page, f"now-band-en-{device}")

        # The running row says "Now" in words; the link jumps to it.
        page.get_by_role("link", name="Jump to now in the agenda").click()
        page.wait_for_url("**/agenda/#now")
        row = page.locator("tr#now")
        assert row.locator(".now-mark").inner_text() == "Now"
        assert row.get_by_role("link", name=titles[0]).count() == 1
        expect(row).to_be_in_viewport()  # scrolled to it


def test_the_overview_band_links_to_now_in_the_agenda(new_context, forum):
    page = new_context().new_page()
    with time_machine.travel(DURING_PARALLEL_1_AND_2):
        page.goto("/en/events/zccf-2022/")
        assert page.locator(".event-status__headline").inner_text() == "Happening now"
        page.get_by_role("link", name="Jump to now in the agenda").click()
        page.wait_for_url("**/agenda/#now")
        assert page.locator("tr#now .now-mark").inner_text() == "Now"


def test_live_and_past_pages_are_valid_html(client, vnu, forum, tmp_path):
    forum.recording_url = "https://video.example.org/zccf-2022"
    forum.save()
    pages = {}
    with time_machine.travel(DURING_PARALLEL_1_AND_2):
        for lang in ("en", "ja", "vi"):
            pages[f"live-agenda-{lang}"] = client.get(f"/{lang}/events/zccf-2022/agenda/")
            pages[f"live-overview-{lang}"] = client.get(f"/{lang}/events/zccf-2022/")
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC)):
        pages["past-overview"] = client.get("/en/events/zccf-2022/")
        pages["past-session"] = client.get("/en/events/zccf-2022/sessions/session-1/")
        pages["past-register"] = client.get("/en/events/zccf-2022/register/")
        pages["past-events"] = client.get("/en/")
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    problems = [f"{m['url']}:{m.get('lastLine', '?')}: {m['message']}" for m in vnu(files)
                if m["type"] in ("error", "non-document-error")]
    assert not problems, "\n".join(problems)
