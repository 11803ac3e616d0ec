"""The public programme pages: content, languages, zones and bad input."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from agenda.models import Session
from tests.factories import make_day, make_event, make_programme, make_session

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's visible text with tags removed and white space folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return re.sub(r" ?– ?", "–", text)  # "20:00 – 22:10" split by tags reads "20:00–22:10"


def slot_table(day_programme):
    """One day of the agenda as (clocks per zone, session slugs) rows."""
    return [
        (
            [f"{r.start.clock}–{r.end.clock} {r.start.abbreviation}" for r in slot.times],
            [session.slug for session in slot.sessions],
        )
        for slot in day_programme.slots
    ]


def test_root_redirects_to_the_visitors_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5").url == "/ja/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9").url == "/vi/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE").url == "/en/"


def test_forum_agenda_in_english_shows_both_days_in_est_and_jst(client, forum):
    response = client.get("/en/events/zccf-2022/agenda/")
    assert response.status_code == 200
    day1, day2 = response.context["days"]
    assert (day1.day.number, day1.day.date, day2.day.number, day2.day.date) == (
        1, date(2022, 3, 9), 2, date(2022, 3, 10)
    )
    assert slot_table(day1) == [
        (["20:00–20:10 EST", "10:00–10:10 JST"], ["opening-remarks-day-1"]),
        (["20:10–20:20 EST", "10:10–10:20 JST"], ["framing-session"]),
        (["20:20–21:00 EST", "10:20–11:00 JST"], ["session-1"]),
        (["21:00–21:05 EST", "11:00–11:05 JST"], ["break-day-1"]),
        (["21:05–22:05 EST", "11:05–12:05 JST"], ["session-2"]),
        (["22:05–22:10 EST", "12:05–12:10 JST"], ["closing-remarks-day-1"]),
    ]
    assert slot_table(day2) == [
        (["07:00–07:10 EST", "21:00–21:10 JST"], ["opening-remarks-day-2"]),
        (["07:10–08:00 EST", "21:10–22:00 JST"], ["parallel-session-1", "parallel-session-2"]),
        (["08:00–08:05 EST", "22:00–22:05 JST"], ["break-day-2-morning"]),
        (["08:05–08:55 EST", "22:05–22:55 JST"], ["parallel-session-3", "parallel-session-4"]),
        (["08:55–09:00 EST", "22:55–23:00 JST"], ["break-day-2-late"]),
        (["09:00–09:10 EST", "23:00–23:10 JST"], ["closing-plenary"]),
        (["09:10–09:15 EST", "23:10–23:15 JST"], ["closing-remarks-day-2"]),
    ]
    # Day 1 is 9 March in New York and already 10 March in Tokyo; Day 2 is
    # 10 March in both: the page keeps two days and says where dates differ.
    assert [(r.start.day_shift, r.start.moment.date()) for r in day1.times] == [
        (0, date(2022, 3, 9)), (1, date(2022, 3, 10))
    ]
    assert [(r.start.day_shift, r.start.moment.date()) for r in day2.times] == [
        (0, date(2022, 3, 10)), (0, date(2022, 3, 10))
    ]
    text = text_of(response)
    assert "Day 1 Wednesday 9 March 2022" in text
    assert "20:00–22:10 EST" in text
    assert "10:00–12:10 JST (Thursday 10 March 2022, +1 day)" in text
    assert text.count("Parallel sessions") == 2
    headings = re.findall(r'<th scope="col" class="programme__time">([^<]+)</th>',
                          response.content.decode())
    assert headings == ["New York (EST)", "Tokyo (JST)"] * 2


@pytest.mark.parametrize(
    ("language", "day_label", "heading"),
    [("en", "Day 1", "Agenda"), ("ja", "1日目", "プログラム"), ("vi", "Ngày 1", "Chương trình")],
)
def test_agenda_speaks_the_page_language(client, forum, language, day_label, heading):
    response = client.get(f"/{language}/events/zccf-2022/agenda/")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert re.search(r"<h1>([^<]+)<", html).group(1) == heading
    opening = Session.objects.get(event=forum, slug="session-1")
    title = getattr(opening, f"title_{language}")
    assert title and title in text_of(response)
    assert response.context["days"][0].day.display_label == day_label


def test_every_page_links_its_other_languages_and_keeps_the_visitor_there(client, forum):
    path = "/events/zccf-2022/sessions/session-1/"
    response = client.get(f"/ja{path}?tz=Europe/Paris")
    html = response.content.decode()
    alternates = re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', html)
    assert alternates == [
        ("en", f"http://testserver/en{path}?tz=Europe/Paris"),
        ("ja", f"http://testserver/ja{path}?tz=Europe/Paris"),
        ("vi", f"http://testserver/vi{path}?tz=Europe/Paris"),
    ]
    switcher = re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+">([^<]+)</a>', html)
    assert switcher == [
        (f"/en{path}?tz=Europe/Paris", "en", "English"),
        (f"/vi{path}?tz=Europe/Paris", "vi", "Tiếng Việt"),
    ]
    assert '<span aria-current="true" lang="ja">日本語</span>' in html


def test_a_viewer_zone_adds_a_third_column_and_is_remembered(client, forum):
    response = client.get("/en/events/zccf-2022/agenda/", {"tz": "Europe/Paris"})
    day1 = response.context["days"][0]
    assert slot_table(day1)[0] == (
        ["20:00–20:10 EST", "10:00–10:10 JST", "02:00–02:10 CET"], ["opening-remarks-day-1"]
    )
    assert [r.is_viewer_zone for r in day1.times] == [False, False, True]
    assert response.cookies["tz"].value == "Europe/Paris"

    remembered = client.get("/en/events/zccf-2022/agenda/")
    assert remembered.context["viewer_zone"] == "Europe/Paris"
    assert len(remembered.context["days"][0].times) == 3

    cleared = client.get("/en/events/zccf-2022/agenda/", {"tz": ""})
    assert cleared.cookies["tz"].value == ""
    assert len(cleared.context["days"][0].times) == 2


def test_viewer_zone_across_the_us_switch_uses_edt_after_13_march(client):
    event = make_event("us-switch", display_timezones="Asia/Tokyo")
    before = make_day(event, 1, date(2022, 3, 12))
    after = make_day(event, 2, date(2022, 3, 14))
    make_session(before, datetime(2022, 3, 12, 20, 0))
    make_session(after, datetime(2022, 3, 14, 20, 0))
    response = client.get("/en/events/us-switch/agenda/", {"tz": "America/New_York"})
    labels = [
        [r.start.abbreviation for r in slot.times]
        for day in response.context["days"] for slot in day.slots
    ]
    assert labels == [["JST", "EST"], ["JST", "EDT"]]
    clocks = [
        [r.start.clock for r in slot.times]
        for day in response.context["days"] for slot in day.slots
    ]
    assert clocks == [["10:00", "20:00"], ["09:00", "20:00"]]


def test_viewer_zone_across_the_eu_switch_uses_cest_after_27_march(client):
    event = make_event("eu-switch", reference_timezone="UTC", display_timezones="UTC")
    before = make_day(event, 1, date(2022, 3, 26))
    after = make_day(event, 2, date(2022, 3, 28))
    make_session(before, datetime(2022, 3, 26, 12, 0))
    make_session(after, datetime(2022, 3, 28, 12, 0))
    response = client.get("/en/events/eu-switch/agenda/", {"tz": "Europe/Berlin"})
    cells = [
        [f"{r.start.clock} {r.start.abbreviation} {r.start.offset}" for r in slot.times]
        for day in response.context["days"] for slot in day.slots
    ]
    assert cells == [
        ["12:00 UTC UTC+0", "13:00 CET UTC+1"],
        ["12:00 UTC UTC+0", "14:00 CEST UTC+2"],
    ]


@pytest.mark.parametrize(
    "garbage",
    ["Mars/Olympus", "<script>alert(1)</script>", "Asia/Tokyo\x00", "x" * 5000, "../"],
    ids=["unknown", "markup", "nul", "long", "path"],
)
def test_a_bad_zone_is_ignored_with_a_visible_note(client, forum, garbage):
    response = client.get("/en/events/zccf-2022/agenda/", {"tz": garbage})
    assert response.status_code == 200
    assert response.context["rejected_zone"] == garbage[:64]
    assert len(response.context["days"][0].times) == 2
    note = re.search(r'<p class="notice notice--warning" role="status">(.*?)</p>',
                     response.content.decode(), re.S).group(1)
    assert note == (
        f"“{escape(garbage[:64])}” is not a time zone we know, so it was ignored. "
        "Times are shown in the event's zones."
    )
    assert "<script>alert" not in response.content.decode()
    assert "tz" not in response.cookies


def test_session_page_shows_every_zone_speakers_and_alternatives(client, forum):
    response = client.get("/en/events/zccf-2022/sessions/parallel-session-1/",
                          {"tz": "Asia/Ho_Chi_Minh"})
    times = [(r.heading, r.start.clock, r.end.clock, r.start.moment.date())
             for r in response.context["times"]]
    assert times == [
        ("New York (EST)", "07:10", "08:00", date(2022, 3, 10)),
        ("Tokyo (JST)", "21:10", "22:00", date(2022, 3, 10)),
        ("Ho Chi Minh City (UTC+7)", "19:10", "20:00", date(2022, 3, 10)),
    ]
    assert [s.slug for s in response.context["alternatives"]] == ["parallel-session-2"]


def test_opening_session_lists_its_speaker_with_role(client, forum):
    response = client.get("/en/events/zccf-2022/sessions/opening-remarks-day-1/")
    roles = [(r.speaker.name, r.role) for r in response.context["session"].session_speakers.all()]
    assert roles == [("YAMAGUCHI Tsuyoshi", "speaker")]
    assert "YAMAGUCHI Tsuyoshi , Minister of the Environment, Japan (Speaker)" in text_of(response)
    ja = client.get("/ja/events/zccf-2022/sessions/opening-remarks-day-1/")
    assert "山口壯" in text_of(ja)


def test_event_overview_lists_organisers_by_role_and_contact(client, forum):
    response = client.get("/en/events/zccf-2022/")
    groups = [(str(role), [org.slug for org in orgs])
              for role, orgs in response.context["organisations"]]
    # Headings agree in number with the organisations under them.
    assert [role for role, _orgs in groups] == ["Organisers", "Collaborators", "Contact"]
    assert len(groups[0][1]) == 2 and len(groups[1][1]) == 3 and len(groups[2][1]) == 1
    html = response.content.decode()
    assert '<a href="mailto:decarbozingcities@iges.or.jp">' in html
    text = text_of(response)
    assert "YouTube livestream: link to follow" in text
    # The seed writes Japanese first ("tiếng Nhật / tiếng Anh").
    assert "Japanese / English (simultaneous interpretation)" in text
    period = [[f"{r.start.clock}–{r.end.clock} {r.start.abbreviation}" for r in ranges]
              for _day, ranges in response.context["period"]]
    assert period == [
        ["20:00–22:10 EST", "10:00–12:10 JST"],
        ["07:00–09:15 EST", "21:00–23:15 JST"],
    ]


def test_dien_bien_says_the_programme_is_to_be_announced(client, dien_bien):
    response = client.get("/vi/events/dien-bien-2024/agenda/")
    assert response.status_code == 200
    assert [d.is_empty for d in response.context["days"]] == [True]
    en = client.get("/en/events/dien-bien-2024/agenda/")
    assert "The programme of this day is to be announced." in text_of(en)
    overview = client.get("/en/events/dien-bien-2024/")
    assert "programme to be announced" in text_of(overview)


def test_event_list_shows_both_seed_events_latest_past_first(client, seed_events):
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)):
        response = client.get("/en/")
    assert response.context["upcoming"] == []
    assert [e.slug for e in response.context["past"]] == ["dien-bien-2024", "zccf-2022"]


def test_speakers_pages(client, forum):
    listing = client.get("/en/events/zccf-2022/speakers/")
    assert [s.slug for s in listing.context["speakers"]] == ["yamaguchi-tsuyoshi"]
    page = client.get("/en/events/zccf-2022/speakers/yamaguchi-tsuyoshi/")
    sessions = [session.slug for _role, session, _times in page.context["appearances"]]
    assert sessions == ["opening-remarks-day-1"]


@pytest.mark.parametrize(
    "path",
    [
        "/de/",
        "/xx/events/zccf-2022/",
        "/en/events/no-such-event/",
        "/en/events/no-such-event/agenda/",
        "/en/events/zccf-2022/sessions/no-such-session/",
        "/en/events/dien-bien-2024/sessions/session-1/",
        "/en/events/zccf-2022/speakers/nobody/",
        "/en/events/dien-bien-2024/speakers/yamaguchi-tsuyoshi/",
        "/en/events/%00/",
        "/en/events/zccf-2022/sessions/%E2%80%AE/",
    ],
)
def test_unknown_things_are_404_never_500(client, seed_events, path):
    assert client.get(path).status_code == 404


def test_agenda_runs_a_fixed_number_of_queries_whatever_its_size(
    client, django_assert_max_num_queries
):
    # Both on one page: up to 60 sessions (a bigger programme is shown a day at
    # a time, with its own fixed counts: tests/test_agenda_days.py).
    small = make_event("small-programme")
    make_programme(small, 10)
    big = make_event("big-programme")
    make_programme(big, 60)
    counts = {}
    for slug in ["small-programme", "big-programme"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/en/events/{slug}/agenda/")
        assert response.status_code == 200
        counts[slug] = len(queries)
    assert sum(len(day.slots) for day in response.context["days"]) == 30
    assert counts["small-programme"] == counts["big-programme"]
    with django_assert_max_num_queries(5):
        client.get("/en/events/big-programme/agenda/")
