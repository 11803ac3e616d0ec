"""Journey: a visitor picks a zone the short inline list does not have, with and without JS."""

import pytest

from tests.browser.conftest import format_violations

pytestmark = pytest.mark.django_db(transaction=True)

AGENDA = "/en/events/zccf-2022/agenda/"
ZONES = "/en/events/zccf-2022/zones/"


def agenda_zone_headings(page):
    return page.locator("table.programme").first.locator(
        "thead th.programme__time").all_inner_texts()


def test_without_javascript_more_time_zones_leads_to_the_picker(new_context, forum):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(AGENDA)
    page.get_by_label("Also show times in").select_option(label="More time zones…")
    page.get_by_role("button", name="Show times").click()
    page.wait_for_url("**" + ZONES)
    assert page.get_by_role("heading", level=1).text_content() == (
        "Choose your time zone – Zero Carbon City International Forum")

    page.get_by_role("link", name="Asia", exact=True).click()
    page.wait_for_url("**" + ZONES + "asia/")
    page.get_by_role("link", name="Kolkata (IST)").click()
    page.wait_for_url("**" + AGENDA + "?tz=Asia%2FKolkata")
    assert agenda_zone_headings(page) == [
        "New York (EST)", "Tokyo (JST)", "Kolkata (IST) your zone"]
    opening = page.locator("table.programme").first.locator("tbody tr").first
    assert opening.locator("td.programme__time--viewer time").all_inner_texts() == [
        "06:30", "06:40"]

    # Remembered: the agenda without ?tz= still has the column, and the select says so.
    page.goto(AGENDA)
    assert agenda_zone_headings(page)[-1] == "Kolkata (IST) your zone"
    assert page.get_by_label("Also show times in").input_value() == "Asia/Kolkata"
    # The plain link works as well, and marks the zone in its region.
    page.get_by_role("link", name="More time zones…").click()
    page.get_by_role("link", name="Asia", exact=True).click()
    assert page.locator("a[aria-current='true']").inner_text() == "Kolkata (IST)"


def test_with_javascript_choosing_more_opens_the_picker(new_context, axe, vnu, forum, tmp_path):
    page = new_context(bypass_csp=True, timezone_id="Asia/Tokyo").new_page()
    page.goto(AGENDA)
    page.get_by_label("Also show times in").select_option(label="More time zones…")
    page.wait_for_url("**" + ZONES)  # no button pressed

    violations = axe(page)
    assert not violations, format_violations(ZONES, violations)
    page.get_by_role("link", name="Europe").click()
    page.wait_for_url("**" + ZONES + "europe/")
    violations = axe(page)
    assert not violations, format_violations(ZONES + "europe/", violations)
    assert page.locator("html").get_attribute("lang") == "en"
    files = []
    for name in ("", "europe/", "mars/"):
        files.append(tmp_path / f"zones-{name.strip('/') or 'regions'}.html")
        files[-1].write_text(page.context.request.get(ZONES + name).text(), encoding="utf-8")
    assert [message for message in vnu(files) if message.get("type") == "error"] == []

    page.get_by_role("link", name="Lisbon (WET)").click()
    page.wait_for_url("**" + AGENDA + "?tz=Europe%2FLisbon")
    assert agenda_zone_headings(page) == ["New York (EST)", "Tokyo (JST)", "Lisbon (WET) your zone"]

    # Back to the picker, and back again to the agenda: its select shows the zone the
    # page is in, not the "More time zones…" the browser restores.
    page.go_back()
    page.wait_for_url("**" + ZONES + "europe/")
    page.go_back()
    page.wait_for_url("**" + ZONES)
    page.go_back()
    page.wait_for_url("**" + AGENDA)
    select = page.get_by_label("Also show times in")
    assert select.input_value() == select.get_attribute("data-current-zone")


@pytest.mark.parametrize(("language", "region", "city", "heading"), [
    ("ja", "ヨーロッパ", "パリ（CET）", "パリ（CET） お使いのタイムゾーン"),
    ("vi", "Châu Âu", "Paris (CET)", "Paris (CET) múi giờ của bạn"),
])
def test_the_picker_in_japanese_and_vietnamese(new_context, axe, forum, language, region, city,
                                               heading):
    page = new_context(bypass_csp=True).new_page()
    page.goto(f"/{language}/events/zccf-2022/zones/")
    assert page.locator("html").get_attribute("lang") == language
    page.get_by_role("link", name=region).click()
    violations = axe(page)
    assert not violations, format_violations(page.url, violations)
    page.get_by_role("link", name=city).click()
    page.wait_for_url(f"**/{language}/events/zccf-2022/agenda/?tz=Europe%2FParis")
    assert agenda_zone_headings(page)[-1] == heading
