"""Journey: an attendee browses the forum's agenda in English, Japanese and Vietnamese."""

import unicodedata

import pytest

from agenda.models import Session

pytestmark = pytest.mark.django_db(transaction=True)

AGENDA = "/{lang}/events/zccf-2022/agenda/"
SESSION = "/{lang}/events/zccf-2022/sessions/session-1/"


def test_the_home_page_follows_the_browser_language(new_context):
    page = new_context(locale="ja-JP").new_page()
    page.goto("/")
    assert page.url.endswith("/ja/")
    assert page.locator("html").get_attribute("lang") == "ja"


@pytest.mark.parametrize(
    ("lang", "heading", "days", "zone_headings", "morning"),
    [
        ("en", "Agenda", ["Day 1", "Day 2"], ["New York (EST)", "Tokyo (JST)"], "07:00"),
        ("ja", "プログラム", ["1日目", "2日目"], ["ニューヨーク（EST）", "東京（JST）"], "7:00"),
        ("vi", "Chương trình", ["Ngày 1", "Ngày 2"], ["New York (EST)", "Tokyo (JST)"], "07:00"),
    ],
)
def test_browse_the_forum_agenda(page, forum, lang, heading, days, zone_headings, morning):
    page.goto(f"/{lang}/")
    assert page.locator("html").get_attribute("lang") == lang
    page.locator(".event-card a", has_text=getattr(forum, f"name_{lang}")).click()
    page.wait_for_url(f"**/{lang}/events/zccf-2022/")
    page.locator(".event-nav a[href$='/agenda/']").click()
    page.wait_for_url("**" + AGENDA.format(lang=lang))

    assert page.locator("h1").inner_text().startswith(heading)
    day_headings = page.locator(".agenda-day h2").all_inner_texts()
    assert len(day_headings) == 2
    assert [text[: len(label)] for text, label in zip(day_headings, days, strict=True)] == days
    # Day 1: 20:00 EST on 9 March is 10:00 JST on 10 March; Day 2 starts 07:00 EST = 21:00 JST.
    first_rows = page.locator("table.programme tbody tr:first-child")
    assert first_rows.count() == 2
    day1_times = first_rows.nth(0).locator("td.programme__time time").all_inner_texts()
    day2_times = first_rows.nth(1).locator("td.programme__time time").all_inner_texts()
    assert day1_times == ["20:00", "20:10", "10:00", "10:10"]
    assert day2_times == [morning, morning.replace(":00", ":10"), "21:00", "21:10"]
    zones = first_rows.nth(0).locator("abbr.zone").all_inner_texts()
    assert zones == ["EST", "JST"]
    if zone_headings:
        assert page.locator("table.programme").first.locator(
            "thead th.programme__time").all_inner_texts() == zone_headings
    # Session titles come in the page's language.
    title = getattr(Session.objects.get(event=forum, slug="session-1"), f"title_{lang}")
    assert page.get_by_role("link", name=title, exact=True).is_visible()
    # Two parallel slots on Day 2, two sessions each.
    assert page.locator(".slot--parallel").count() == 2
    assert page.locator(".slot--parallel article.session").count() == 4


def test_switching_language_on_a_session_page_stays_on_that_session(page, forum):
    session = Session.objects.get(event=forum, slug="session-1")
    page.goto(SESSION.format(lang="en") + "?tz=Europe/Paris")
    assert page.locator("h1").inner_text() == session.title_en

    page.locator(".language-switcher a[hreflang='ja']").click()
    page.wait_for_url("**" + SESSION.format(lang="ja") + "?tz=Europe/Paris")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == session.title_ja
    assert page.locator(".language-switcher [aria-current]").inner_text() == "日本語"
    # The viewer's zone survives the switch.
    assert page.locator("table.times tbody tr").count() == 3

    switch_to_vietnamese = page.locator(".language-switcher a[hreflang='vi']")
    assert unicodedata.normalize("NFC", switch_to_vietnamese.inner_text()) == "Tiếng Việt"
    switch_to_vietnamese.click()
    page.wait_for_url("**" + SESSION.format(lang="vi") + "?tz=Europe/Paris")
    assert page.locator("h1").inner_text() == session.title_vi

    page.locator(".language-switcher a[hreflang='en']").click()
    page.wait_for_url("**" + SESSION.format(lang="en") + "?tz=Europe/Paris")
    assert page.locator("html").get_attribute("lang") == "en"
