"""The agenda's filters (track, kind, speaker, language) and its text search in every language."""

import re
import unicodedata
from datetime import date, datetime

import pytest
from django.db import connection

from agenda.models import Session, SessionSpeaker, Speaker
from tests.factories import make_day, make_event, make_session

pytestmark = pytest.mark.django_db

AGENDA = "/en/events/search-forum/agenda/"


@pytest.fixture
def search_forum(db):
    """Two days, five sessions, titles in English, Japanese and Vietnamese."""
    event = make_event("search-forum")
    day1 = make_day(event, 1, date(2030, 5, 6))
    day2 = make_day(event, 2, date(2030, 5, 7))
    huong = Speaker.objects.create(slug="nguyen-thi-huong", name="NGUYEN Thi Huong",
                                   name_vi="Nguyễn Thị Hương", name_ja="グエン・ティ・フオン")
    yamaguchi = Speaker.objects.create(slug="yamaguchi-sho", name="YAMAGUCHI Sho",
                                       name_ja="山口 壯")
    urban = make_session(day1, datetime(2030, 5, 6, 9, 0), slug="urban", kind=Session.Kind.TALK,
                         title="Green urban planning", title_ja="緑の都市計画と脱炭素",
                         title_vi="Quy hoạch đô thị xanh", track="Track A", track_ja="トラックA")
    make_session(day1, datetime(2030, 5, 6, 9, 30), slug="break", kind=Session.Kind.BREAK,
                 title="Break")
    carbon = make_session(day1, datetime(2030, 5, 6, 10, 0), slug="carbon",
                          kind=Session.Kind.PANEL, title="Carbon credit markets",
                          title_ja="カーボンクレジット市場", title_vi="Thị trường tín chỉ carbon",
                          description_vi="Kinh nghiệm của tỉnh Điện Biên", track="Track B")
    energy = make_session(day2, datetime(2030, 5, 7, 9, 0), slug="energy",
                          kind=Session.Kind.WORKSHOP, title="Energy for cities",
                          title_vi="Năng lượng cho các thành phố",
                          description="Decarbonising district heating", track="Track A",
                          track_ja="トラックA")
    # Typed on a Mac: stored decomposed (NFD), as the admin received it.
    make_session(day2, datetime(2030, 5, 7, 10, 0), slug="transport", kind=Session.Kind.TALK,
                 title="Smart transport",
                 title_vi=unicodedata.normalize("NFD", "Giao thông thông minh ở Điện Biên"))
    SessionSpeaker.objects.create(session=urban, speaker=huong)
    SessionSpeaker.objects.create(session=energy, speaker=huong, role=SessionSpeaker.Role.MODERATOR)
    SessionSpeaker.objects.create(session=carbon, speaker=yamaguchi)
    return event


def found(response):
    """The English titles of the sessions listed, by day number."""
    assert response.context["agenda_page"].is_filtered
    return {entry.day.number: [session.title_en for slot in entry.slots
                               for session in slot.sessions]
            for entry in response.context["days"]}


def titles(response):
    return {title for day in found(response).values() for title in day}


def text_of(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def search(client, q, language="en"):
    response = client.get(f"/{language}/events/search-forum/agenda/", {"q": q})
    assert response.status_code == 200
    return titles(response)


@pytest.mark.parametrize("q, expected", [
    ("脱炭素", {"Green urban planning"}),  # inside a Japanese title, no spaces around it
    ("カーボン", {"Carbon credit markets"}),
    ("đô thị", {"Green urban planning"}),
    (unicodedata.normalize("NFD", "đô thị"), {"Green urban planning"}),  # typed decomposed
    ("ĐÔ THỊ", {"Green urban planning"}),  # Vietnamese capitals
    ("Điện Biên", {"Carbon credit markets", "Smart transport"}),  # a description; NFD stored
    ("ĐIỆN BIÊN", {"Carbon credit markets", "Smart transport"}),
    ("thành phố", {"Energy for cities"}),
    ("carbon", {"Carbon credit markets", "Energy for cities"}),  # "Decarbonising"
    ("carbon Điện", {"Carbon credit markets"}),  # every term must be found
    ("Hương", {"Green urban planning", "Energy for cities"}),  # a speaker, in Vietnamese
    ("huong", {"Green urban planning", "Energy for cities"}),  # … and in English
    ("山口", {"Carbon credit markets"}),  # a speaker, in Japanese
    ("quantum", set()),
])
def test_search_finds_titles_descriptions_and_speakers_in_every_language(
    client, search_forum, q, expected
):
    assert search(client, q) == expected


def test_search_is_the_same_from_every_language_of_the_page(client, search_forum):
    assert search(client, "đô thị", "ja") == search(client, "đô thị", "vi") == {
        "Green urban planning"
    }
    response = client.get("/ja/events/search-forum/agenda/", {"q": "脱炭素"})
    assert "緑の都市計画と脱炭素" in text_of(response)


@pytest.mark.postgres
def test_on_postgresql_english_words_match_by_their_stem(client, search_forum):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's (set DATABASE_URL)")
    # "planned" is no substring of "planning"; both stem to "plan".
    assert search(client, "planned") == {"Green urban planning"}
    assert search(client, "markets carbons") == {"Carbon credit markets"}


def test_the_result_count_is_announced_and_results_are_grouped_by_day(client, search_forum):
    response = client.get(AGENDA, {"track": "Track A"})
    assert found(response) == {1: ["Green urban planning"], 2: ["Energy for cities"]}
    assert '<p class="result-count" role="status">2 sessions match.</p>' in (
        response.content.decode()
    )
    one = client.get(AGENDA, {"q": "山口"})
    assert '<p class="result-count" role="status">1 session matches.</p>' in one.content.decode()
    none = client.get(AGENDA, {"q": "quantum"})
    html = none.content.decode()
    assert '<p class="result-count" role="status">0 sessions match.</p>' in html
    assert '<p class="tba">No session matches. Try other words or fewer filters.</p>' in html


@pytest.mark.parametrize("params, expected", [
    ({"track": "Track A"}, {"Green urban planning", "Energy for cities"}),
    ({"track": "Track B"}, {"Carbon credit markets"}),
    ({"kind": "panel"}, {"Carbon credit markets"}),
    ({"kind": "break"}, {"Break"}),
    ({"speaker": "nguyen-thi-huong"}, {"Green urban planning", "Energy for cities"}),
    ({"speaker": "yamaguchi-sho"}, {"Carbon credit markets"}),
    ({"language": "ja"}, {"Green urban planning", "Carbon credit markets"}),
    ({"language": "vi"}, {"Green urban planning", "Carbon credit markets", "Energy for cities",
                          "Smart transport"}),
    ({"track": "Track A", "q": "thành phố"}, {"Energy for cities"}),
    ({"kind": "talk", "language": "ja"}, {"Green urban planning"}),
    ({"track": "", "q": "  "}, None),  # empty fields filter nothing
])
def test_filters_narrow_the_programme(client, search_forum, params, expected):
    response = client.get(AGENDA, params)
    assert response.status_code == 200
    if expected is None:
        assert not response.context["agenda_page"].is_filtered
        assert [entry.day.number for entry in response.context["days"]] == [1, 2]
    else:
        assert titles(response) == expected


def test_the_filters_offer_the_events_own_tracks_kinds_speakers_and_languages(
    client, search_forum
):
    form = client.get("/ja/events/search-forum/agenda/", {"q": "x"}).context["agenda_page"].form
    choices = [list(form.fields[name].choices) for name in ["track", "kind", "speaker", "language"]]
    assert choices == [
        # Tracks by their English names, labelled in Japanese where translated.
        [("", "すべてのトラック"), ("Track A", "トラックA"), ("Track B", "Track B")],
        [("", "すべての種類"), ("break", "休憩"), ("talk", "講演"),
         ("panel", "パネルディスカッション"), ("workshop", "ワークショップ")],
        [("", "すべての登壇者"), ("nguyen-thi-huong", "グエン・ティ・フオン"),
         ("yamaguchi-sho", "山口 壯")],
        [("", "すべての言語"), ("en", "English"), ("ja", "日本語"), ("vi", "Tiếng Việt")],
    ]


def test_a_day_page_with_filters_lists_that_days_matches(client, search_forum):
    response = client.get("/en/events/search-forum/agenda/day-2/", {"track": "Track A"})
    assert found(response) == {2: ["Energy for cities"]}
    assert "1 session matches on Day 2." in text_of(response)
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>(.*?)</a>',
                       re.search(r'<nav class="day-nav".*?</nav>', response.content.decode(),
                                 flags=re.S).group(0), flags=re.S)
    assert [(href, bool(current), re.sub(r"<[^>]+>|\s+", " ", label).split())
            for href, current, label in links] == [
        ("/en/events/search-forum/agenda/?track=Track+A", False, ["All", "days", "2", "matches"]),
        ("/en/events/search-forum/agenda/day-1/?track=Track+A", False,
         ["Day", "1", "Monday", "6", "May", "2030", "1", "match"]),
        ("/en/events/search-forum/agenda/day-2/?track=Track+A", True,
         ["Day", "2", "Tuesday", "7", "May", "2030", "1", "match"]),
    ]


@pytest.mark.parametrize("params, message", [
    ({"track": "Nope"}, "This event has no track “Nope”."),
    ({"kind": "zzz"}, "This event has no sessions of the kind “zzz”."),
    ({"kind": "keynote"}, "This event has no sessions of the kind “keynote”."),
    ({"speaker": "nobody"}, "No speaker “nobody” takes part in this event."),
    ({"language": "de"}, "No session of this event is published in the language “de”."),
    ({"q": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
    ({"q": "carbon\x00"}, "Null characters are not allowed."),
    ({"track": "Track A", "speaker": "nobody"}, "No speaker “nobody” takes part in this event."),
])
def test_a_filter_value_the_event_does_not_have_is_a_400_with_the_whole_programme(
    client, search_forum, params, message
):
    response = client.get(AGENDA, params)
    assert response.status_code == 400
    page = response.context["agenda_page"]
    assert not page.is_filtered
    assert [entry.day.number for entry in response.context["days"]] == [1, 2]
    assert [error for errors in page.form.errors.values() for error in errors] == [message]
    text = text_of(response)
    assert f"There is a problem The programme below is not filtered. {message}" in text
    assert "Smart transport" in text and "Carbon credit markets" in text


def test_filtered_pages_are_cached_and_searches_are_answered_fresh(client, search_forum):
    assert client.get(AGENDA, {"track": "Track A"})["X-Page-Cache"] == "miss"
    assert client.get(AGENDA, {"track": "Track A"})["X-Page-Cache"] == "hit"
    # Each typed term would get an entry of its own: never stored.
    assert [client.get(AGENDA, {"q": "đô thị"})["X-Page-Cache"] for _ in range(2)] == [
        "bypass", "bypass"
    ]
    # A value the event does not have is a 400, never stored.
    assert [client.get(AGENDA, {"track": "Nope"})["X-Page-Cache"] for _ in range(2)] == [
        "miss", "miss"
    ]
    assert client.get(AGENDA, {"unknown": "1"})["X-Page-Cache"] == "bypass"


def test_the_zone_picker_keeps_the_filters_and_search_in_use(client, search_forum):
    page = client.get(AGENDA, {"track": "Track A", "q": "đô thị"}).content.decode()
    form = page[page.index('class="zone-picker__form"'):]
    form = form[:form.index("</form>")]
    assert re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form) == [
        ("track", "Track A"), ("q", "đô thị"),
    ]
    plain = client.get(AGENDA).content.decode()
    assert '<input type="hidden"' not in plain[plain.index('class="zone-picker__form"'):]
