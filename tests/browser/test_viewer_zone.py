"""Journey: a visitor sees times in the event's zones and in a zone of their own."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

AGENDA = "/en/events/zccf-2022/agenda/"
OPENING = "/en/events/zccf-2022/sessions/opening-remarks-day-1/"


def times_table(page):
    """The session page's times as (zone heading, date, time text) rows."""
    rows = page.locator("table.times tbody tr")
    return [
        (
            rows.nth(i).locator("th").inner_text(),
            rows.nth(i).locator("td").nth(0).inner_text(),
            rows.nth(i).locator("td").nth(1).inner_text(),
        )
        for i in range(rows.count())
    ]


def test_pick_a_zone_with_the_picker(page, forum):
    page.goto(OPENING)
    assert times_table(page) == [
        ("New York (EST)", "Wednesday 9 March 2022", "20:00–20:10 EST (UTC−5)"),
        ("Tokyo (JST)", "Thursday 10 March 2022", "10:00–10:10 JST (UTC+9)"),
    ]

    # Paris is not in the short list: "More time zones…" opens the full picker.
    page.get_by_label("Also show times in").select_option("more")
    page.wait_for_url("**/zones/?next=*")
    page.get_by_role("link", name="Europe").click()
    page.get_by_role("link", name="Paris (CET)").click()
    page.wait_for_url("**?tz=Europe%2FParis")
    assert page.url.endswith(OPENING + "?tz=Europe%2FParis")
    assert times_table(page) == [
        ("New York (EST)", "Wednesday 9 March 2022", "20:00–20:10 EST (UTC−5)"),
        ("Tokyo (JST)", "Thursday 10 March 2022", "10:00–10:10 JST (UTC+9)"),
        ("Paris (CET) your zone", "Thursday 10 March 2022", "02:00–02:10 CET (UTC+1)"),
    ]
    assert page.locator("table.times tr.times--viewer th").inner_text().startswith("Paris")

    # The choice is remembered on the agenda, which gains a third column.
    page.goto(AGENDA)
    first_table = page.locator("table.programme").first
    assert first_table.locator("thead th.programme__time").all_inner_texts() == [
        "New York (EST)", "Tokyo (JST)", "Paris (CET) your zone",
    ]
    opening_row = first_table.locator("tbody tr").first
    assert opening_row.locator("td.programme__time time").all_inner_texts() == [
        "20:00", "20:10", "10:00", "10:10", "02:00", "02:10",
    ]
    assert page.get_by_label("Also show times in").input_value() == "Europe/Paris"

    # Clearing the zone goes back to the event's two zones.
    page.get_by_role("link", name="Clear my time zone").click()
    assert page.locator("table.programme").first.locator(
        "thead th.programme__time").count() == 2


def test_a_zone_that_is_not_real_is_ignored_with_a_note(page, forum):
    page.goto(AGENDA + "?tz=Mars/Olympus_Mons")
    note = page.locator(".zone-picker .notice--warning")
    assert note.is_visible()
    assert "Mars/Olympus_Mons" in note.inner_text()
    assert page.locator("table.programme").first.locator(
        "thead th.programme__time").count() == 2


def test_the_browsers_own_zone_is_offered_not_applied(new_context, forum):
    page = new_context(timezone_id="Europe/Berlin").new_page()
    page.goto(AGENDA)
    offer = page.locator(".zone-offer")
    offer.wait_for(state="visible")
    assert offer.locator(".zone-offer__text").inner_text() == "Show times in Berlin?"
    # Offered, not applied: still the event's two zones, and no ?tz= in the address.
    assert "tz=" not in page.url
    assert page.locator("table.programme").first.locator(
        "thead th.programme__time").count() == 2

    offer.get_by_role("link", name="Yes, show them").click()
    page.wait_for_url("**?tz=Europe%2FBerlin")
    assert page.url.endswith(AGENDA + "?tz=Europe%2FBerlin")
    headings = page.locator("table.programme").first.locator(
        "thead th.programme__time").all_inner_texts()
    assert headings == ["New York (EST)", "Tokyo (JST)", "Berlin (CET) your zone"]
    opening_row = page.locator("table.programme").first.locator("tbody tr").first
    assert opening_row.locator("td.programme__time--viewer time").all_inner_texts() == [
        "02:00", "02:10",
    ]
    # Now that it is applied, it is not offered again.
    assert page.locator(".zone-offer").is_hidden()


def test_dismissing_the_offer_is_remembered(new_context, forum):
    page = new_context(timezone_id="Asia/Ho_Chi_Minh").new_page()
    page.goto(AGENDA)
    offer = page.locator(".zone-offer")
    offer.wait_for(state="visible")
    offer.get_by_role("button", name="No thanks").click()
    assert offer.is_hidden()
    page.reload()
    page.wait_for_load_state("load")
    assert offer.is_hidden()
    assert page.locator("table.programme").first.locator(
        "thead th.programme__time").count() == 2


def test_no_offer_when_the_browser_is_in_an_event_zone(new_context, forum):
    page = new_context(timezone_id="Asia/Tokyo").new_page()
    page.goto(AGENDA)
    page.wait_for_load_state("load")
    assert page.locator(".zone-offer").is_hidden()
