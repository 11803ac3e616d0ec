"""A big programme's agenda a day at a time: day pages, the default day, size and queries."""

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from agenda import programme
from agenda.management.commands.generate_programme import Command as GenerateProgramme
from agenda.models import Session
from tests.factories import make_event, make_programme

pytestmark = pytest.mark.django_db

BIG = "synthetic-1000"


@pytest.fixture(scope="module")
def thousand(django_db_setup, django_db_blocker):
    """The 1,000-session programme of ``manage.py generate_programme``, built once for the module.

    Committed outside the tests' transactions (building it takes seconds), and
    removed again when the module is done, so other modules never see it.
    """
    with django_db_blocker.unblock():
        call_command("generate_programme", sessions=1000, stdout=io.StringIO())
    yield BIG
    with django_db_blocker.unblock():
        GenerateProgramme._remove(BIG)


def generate(sessions, slug):
    """A smaller generated programme (48 sessions a day, 4 tracks), inside the test."""
    call_command("generate_programme", sessions=sessions, slug=slug, stdout=io.StringIO())
    return slug


def day_numbers(response):
    return [entry.day.number for entry in response.context["days"]]


def session_slugs(response):
    return [session.slug for entry in response.context["days"] for slot in entry.slots
            for session in slot.sessions]


def nav_links(response):
    """The day navigation as (href, label text, is current) triples."""
    html = response.content.decode()
    nav = re.search(r'<nav class="day-nav".*?</nav>', html, flags=re.S)
    if nav is None:
        return []
    return [(href, re.sub(r"<[^>]+>|\s+", " ", label).split()[:2], bool(current))
            for href, current, label in re.findall(
                r'<a href="([^"]+)"( aria-current="page")?>(.*?)</a>', nav.group(0), flags=re.S)]


def test_the_first_page_of_the_1000_session_agenda_is_day_1_and_at_most_250_kb(
    client, thousand
):
    response = client.get(f"/en/events/{BIG}/agenda/")
    assert response.status_code == 200
    assert len(response.content) <= 250_000
    assert day_numbers(response) == [1]
    assert session_slugs(response) == [f"s{n}" for n in range(1, 49)]
    links = nav_links(response)
    assert [href for href, _label, _current in links] == [
        f"/en/events/{BIG}/agenda/day-{n}/" for n in range(1, 22)
    ]
    assert [label for _href, label, _current in links][:2] == [["Day", "1"], ["Day", "2"]]
    assert [current for _href, _label, current in links] == [True] + [False] * 20


def test_every_session_is_two_clicks_from_the_agenda(client, thousand):
    """The agenda links every day; each day page links every session of that day."""
    first = client.get(f"/en/events/{BIG}/agenda/").content.decode()
    day_urls = sorted(set(re.findall(rf'href="(/en/events/{BIG}/agenda/day-\d+/)"', first)))
    reached = set()
    for url in day_urls:
        page = client.get(url)
        assert page.status_code == 200
        assert len(page.content) <= 250_000
        reached |= set(re.findall(rf'href="/en/events/{BIG}/sessions/([^/"]+)/"',
                                  page.content.decode()))
    assert len(day_urls) == 21
    assert reached == set(Session.objects.filter(event__slug=BIG).values_list("slug", flat=True))


def test_a_day_page_shows_that_day_only(client, thousand):
    response = client.get(f"/ja/events/{BIG}/agenda/day-3/")
    assert response.status_code == 200
    assert day_numbers(response) == [3]
    assert session_slugs(response) == [f"s{n}" for n in range(97, 145)]
    assert [current for _href, _label, current in nav_links(response)] == (
        [False, False, True] + [False] * 18
    )
    last = client.get(f"/en/events/{BIG}/agenda/day-21/")
    assert session_slugs(last) == [f"s{n}" for n in range(961, 1001)]


@pytest.mark.parametrize("path, message", [
    ("day-22/", "This event has no day 22: its programme runs from day 1 to day 21."),
    ("day-0/", "This event has no day 0: its programme runs from day 1 to day 21."),
])
def test_an_unknown_day_is_a_404_that_says_which_days_exist(client, thousand, path, message):
    response = client.get(f"/en/events/{BIG}/agenda/{path}")
    assert response.status_code == 404
    assert f"<p>{message}</p>" in response.content.decode()


def test_a_day_address_that_is_not_a_number_is_a_404(client, thousand):
    assert client.get(f"/en/events/{BIG}/agenda/day-two/").status_code == 404


@pytest.mark.parametrize("moment, day", [
    (datetime(2022, 3, 1, 12, 0, tzinfo=UTC), 1),  # before the event
    (datetime(2030, 3, 6, 15, 0, tzinfo=UTC), 3),  # 10:00 in New York on day 3: live
    (datetime(2030, 3, 6, 20, 0, tzinfo=UTC), 4),  # 15:00 on day 3, its last session over
    (datetime(2030, 3, 8, 4, 0, tzinfo=UTC), 5),  # the night before day 5
    (datetime(2030, 4, 1, 12, 0, tzinfo=UTC), 1),  # after the event
])
def test_the_agenda_opens_on_the_day_in_progress_else_the_next_else_day_1(
    client, db, moment, day
):
    generate(240, "synthetic-days")  # five days of 48 sessions
    with time_machine.travel(moment):
        response = client.get("/en/events/synthetic-days/agenda/")
    assert day_numbers(response) == [day]
    assert [current for _href, _label, current in nav_links(response)] == [
        number == day for number in range(1, 6)
    ]


def test_jump_to_now_leads_to_the_day_in_progress(client, db):
    generate(240, "synthetic-days")
    with time_machine.travel(datetime(2030, 3, 6, 15, 0, tzinfo=UTC)):
        today = client.get("/en/events/synthetic-days/agenda/").content.decode()
        other = client.get("/en/events/synthetic-days/agenda/day-1/").content.decode()
    assert '<p class="now-band__jump"><a href="#now">' in today
    assert 'id="now"' in today
    assert ('<p class="now-band__jump"><a href="/en/events/synthetic-days/agenda/#now">'
            in other)


def test_more_than_60_sessions_is_a_big_programme(client, db):
    assert programme.BIG_PROGRAMME_SESSIONS == 60
    make_programme(make_event("sixty"), 60, per_day=30)
    make_programme(make_event("sixty-one"), 61, per_day=30)
    one_page = client.get("/en/events/sixty/agenda/")
    assert day_numbers(one_page) == [1, 2]
    assert nav_links(one_page) == []
    assert 'class="agenda-filters"' not in one_page.content.decode()
    by_day = client.get("/en/events/sixty-one/agenda/")
    assert day_numbers(by_day) == [1]
    assert [href for href, _label, _current in nav_links(by_day)] == [
        "/en/events/sixty-one/agenda/day-1/", "/en/events/sixty-one/agenda/day-2/",
        "/en/events/sixty-one/agenda/day-3/",
    ]
    assert 'class="agenda-filters"' in by_day.content.decode()


def test_the_seed_events_stay_one_page_without_filters_or_day_navigation(client, seed_events):
    forum = client.get("/en/events/zccf-2022/agenda/")
    assert day_numbers(forum) == [1, 2]
    assert len(session_slugs(forum)) == 15
    html = forum.content.decode()
    assert ('class="agenda-filters"', 'class="day-nav"') == tuple(
        marker for marker in ('class="agenda-filters"', 'class="day-nav"') if marker not in html
    )
    dien_bien = client.get("/vi/events/dien-bien-2024/agenda/")
    assert [entry.is_empty for entry in dien_bien.context["days"]] == [True]
    assert 'class="day-nav"' not in dien_bien.content.decode()


def test_a_small_programmes_day_address_leads_to_that_day_on_its_one_page(client, forum):
    response = client.get("/ja/events/zccf-2022/agenda/day-2/?tz=Europe/Paris")
    assert (response.status_code, response.url) == (
        302, "/ja/events/zccf-2022/agenda/?tz=Europe%2FParis#day-2"
    )
    unknown = client.get("/en/events/zccf-2022/agenda/day-3/")
    assert unknown.status_code == 404
    assert ("<p>This event has no day 3: its programme runs from day 1 to day 2.</p>"
            in unknown.content.decode())


def test_day_pages_are_cached_like_the_other_public_pages(client, thousand):
    url = f"/en/events/{BIG}/agenda/day-2/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(f"/en/events/{BIG}/agenda/day-99/")["Cache-Control"] == "no-store"


# Queries: a fixed number per kind of page, whatever the size of the programme.
PAGES = {
    "agenda": "",
    "day": "day-2/",
    "filtered": "?track=Track+2",
    "search": "?q=district",
}
# Event, its days and sessions (read once for where it stands and the agenda),
# the filters' choices (two), the speakers of the sessions shown; the filtered
# ones find the matches first.
BIG_QUERIES = {"agenda": 6, "day": 6, "filtered": 7, "search": 7}


@pytest.mark.parametrize("page", PAGES)
def test_a_big_programmes_pages_run_a_fixed_number_of_queries(
    client, thousand, django_assert_num_queries, page
):
    generate(120, "synthetic-120")
    for slug in [BIG, "synthetic-120"]:
        with django_assert_num_queries(BIG_QUERIES[page]):
            response = client.get(f"/en/events/{slug}/agenda/{PAGES[page]}")
        assert response.status_code == 200
        assert response["X-Page-Cache"] in ("miss", "bypass")  # rendered, not from the cache


# The forum's agenda: event, days, sessions and speakers; with filters the
# choices and the matches come in, as on a big programme.
@pytest.mark.parametrize("query, queries, matches", [
    ("", 4, None),
    ("?kind=parallel", 7, 4),
    ("?q=session", 7, 7),
])
def test_the_forums_pages_run_a_fixed_number_of_queries(
    client, forum, django_assert_num_queries, query, queries, matches
):
    with django_assert_num_queries(queries):
        response = client.get(f"/en/events/zccf-2022/agenda/{query}")
    assert response.status_code == 200
    if matches is not None:
        assert response.context["agenda_page"].match_count == matches


def test_a_day_page_is_titled_by_its_day(client, thousand):
    title = re.search(r"<title>(.*?)</title>", client.get(f"/en/events/{BIG}/agenda/day-3/")
                      .content.decode()).group(1)
    whole = re.search(r"<title>(.*?)</title>", client.get("/en/events/zccf-2022/agenda/")
                      .content.decode()).group(1)
    assert title.startswith("Agenda – Day 3 – ")
    assert whole == "Agenda – Zero Carbon City International Forum"


# Every other page of an event: the same queries for the forum's 15 sessions
# and the 1,000-session programme. The first request reads the event, its days
# and sessions (agenda/kept_programme.py) and what the page adds; the next ones
# only what the page adds.
OTHER_PAGES = {
    # page: (path under the event, {slug: path arguments}, first, then)
    "overview": ("", {}, 4, 1),  # + the organisations
    "session": ("sessions/{session}/", {"zccf-2022": "parallel-session-1", BIG: "s500"}, 5, 2),
    "speakers": ("speakers/", {}, 6, 3),
    "speaker": ("speakers/{speaker}/",
                {"zccf-2022": "yamaguchi-tsuyoshi", BIG: f"{BIG}-speaker-7"}, 5, 2),
    "changes": ("changes/", {}, 4, 1),
    "zone regions": ("zones/", {}, 3, 0),
    "zone region": ("zones/europe/", {}, 4, 1),  # + when the event starts
}


@pytest.mark.parametrize("page", OTHER_PAGES)
def test_every_page_of_an_event_runs_the_same_queries_whatever_its_size(
    client, thousand, django_assert_num_queries, settings, page
):
    settings.PAGE_CACHE_ENABLED = False  # every request renders its page
    path, arguments, first, then = OTHER_PAGES[page]
    for slug in ["zccf-2022", BIG]:
        url = f"/en/events/{slug}/" + path.format(session=arguments.get(slug),
                                                  speaker=arguments.get(slug))
        with django_assert_num_queries(first):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(then):
            assert client.get(url).status_code == 200
