"""The public changelog of a programme: content, order, zones, languages, queries and cache."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import Session, SessionChange
from forum_site.pagecache.policy import STATUS_HEADER
from tests.factories import make_day, make_event, make_session

pytestmark = pytest.mark.django_db

CHANGES = "/en/events/zccf-2022/changes/"
SESSION_1_TITLE = "Session 1: Net-zero transition: how cities move towards zero carbon"
PARALLEL_1_TITLE = (
    "Parallel session 1: City-to-city collaboration: accelerating the decarbonisation domino"
)


@pytest.fixture
def clock(monkeypatch):
    """1 March 2022, 12:00 UTC, one hour later at every reading."""
    readings = iter(range(10_000))
    start = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=next(readings)))


def move(event, slug, minutes, *, by=None):
    session = Session.objects.get(event=event, slug=slug)
    session.start += timedelta(minutes=minutes)
    session.end += timedelta(minutes=minutes)
    return agenda_services.save_session(session, changed_by=by)


def cancel(event, slug):
    session = Session.objects.get(event=event, slug=slug)
    session.status = Session.Status.CANCELLED
    return agenda_services.save_session(session)


def fold(html):
    """Text of an HTML fragment, tags removed, white space folded as a reader sees it."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return re.sub(r" ?– ?", "–", text).replace(" ,", ",")


def main_of(response):
    html = response.content.decode()
    return html[html.index('<main'):html.index("</main>")]


def entries_of(response):
    """Each change on the page as its folded text."""
    return [fold(item) for item in re.findall(r'<li class="change .*?</li>', main_of(response),
                                              flags=re.S)]


@pytest.fixture
def two_changes(forum, clock):
    cancel(forum, "parallel-session-1")
    move(forum, "session-1", 10)


def test_changes_are_listed_newest_first_with_times_before_and_after(client, forum, two_changes):
    response = client.get(CHANGES)
    assert response.status_code == 200
    assert entries_of(response) == [
        f"{SESSION_1_TITLE} Rescheduled · changed on 1 March 2022 "
        f"Times of “{SESSION_1_TITLE}” in each time zone "
        "Time zone Before After "
        "New York Before: Wednesday 9 March 2022, 20:20–21:00 EST "
        "After: Wednesday 9 March 2022, 20:30–21:10 EST "
        "Tokyo Before: Thursday 10 March 2022, 10:20–11:00 JST "
        "After: Thursday 10 March 2022, 10:30–11:10 JST",
        f"{PARALLEL_1_TITLE} Cancelled · changed on 1 March 2022 "
        f"Times of “{PARALLEL_1_TITLE}” in each time zone "
        "Time zone When "
        "New York Thursday 10 March 2022, 07:10–08:00 EST "
        "Tokyo Thursday 10 March 2022, 21:10–22:00 JST",
    ]
    html = main_of(response)
    assert re.findall(r'<h2 id="change-\d+" class="change__title"><a href="([^"]+)">', html) == [
        "/en/events/zccf-2022/sessions/session-1/",
        "/en/events/zccf-2022/sessions/parallel-session-1/",
    ]
    assert '<time datetime="2022-03-09T20:30:00-05:00">20:30</time>' in html
    assert '<time datetime="2022-03-01">1 March 2022</time>' in html


def test_the_date_of_a_change_is_the_organisers_date(client, forum, monkeypatch):
    # 02:00 UTC on 2 March is still 1 March in New York.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2022, 3, 2, 2, 0, tzinfo=UTC))
    move(forum, "session-1", 10)
    [entry] = entries_of(client.get(CHANGES))
    assert entry.startswith(f"{SESSION_1_TITLE} Rescheduled · changed on 1 March 2022 ")


def test_an_event_without_changes_says_so(client, dien_bien):
    response = client.get("/en/events/dien-bien-2024/changes/")
    assert response.status_code == 200
    assert response.context["entries"] == []
    assert re.findall(r'<p class="tba">(.*?)</p>', main_of(response)) == [
        "No session has been moved or cancelled so far."
    ]


def test_who_made_a_change_is_never_shown(client, forum, clock):
    organiser = get_user_model().objects.create_user("secret-organiser", "so@example.org", "x")
    move(forum, "session-1", 10, by=organiser)
    assert SessionChange.objects.get().changed_by == organiser
    content = client.get(CHANGES).content.decode()
    assert ("secret-organiser" in content, "so@example.org" in content) == (False, False)


@pytest.mark.parametrize(
    ("language", "first_line"),
    [
        ("ja", "セッション1：ネットゼロへの移行 ― 都市はいかにゼロカーボンへ向かうか"),
        ("vi", "Phiên 1: Chuyển đổi thuần không: cách các thành phố tiến tới không carbon"),
    ],
)
def test_the_page_speaks_the_visitors_language(client, forum, two_changes, language, first_line):
    response = client.get(f"/{language}/events/zccf-2022/changes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    [first, _second] = response.context["entries"]
    assert first.session.title == first_line
    assert re.findall(r'class="change__title"><a href="([^"]+)">([^<]+)</a>', html)[0] == (
        f"/{language}/events/zccf-2022/sessions/session-1/", first_line
    )
    for other in {"en", "ja", "vi"} - {language}:
        assert f'hreflang="{other}" href="http://testserver/{other}/events/zccf-2022/changes/"' \
            in html


def test_japanese_dates(client, forum, two_changes):
    html = main_of(client.get("/ja/events/zccf-2022/changes/"))
    first = html[:html.index('<li class="change change--cancelled"')]
    assert re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">([^<]+)</time>', first) == [
        ("2022-03-01", "2022年3月1日"),  # the date of the change
        ("2022-03-09", "2022年3月9日(水)"), ("2022-03-09", "2022年3月9日(水)"),  # New York
        ("2022-03-10", "2022年3月10日(木)"), ("2022-03-10", "2022年3月10日(木)"),  # Tokyo
    ]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", first))
    assert "変更日：2022年3月1日" in text
    assert "ニューヨーク 変更前：2022年3月9日(水) 20:20〜21:00 EST" in text
    assert "東京 変更前：2022年3月10日(木) 10:20〜11:00 JST" in text


def test_the_viewers_zone_is_added_and_remembered(client, forum, two_changes):
    response = client.get(CHANGES + "?tz=Europe/Paris")
    assert response.cookies["tz"].value == "Europe/Paris"
    [moved, cancelled] = entries_of(response)
    assert moved.endswith(
        "Paris your zone Before: Thursday 10 March 2022, 02:20–03:00 CET "
        "After: Thursday 10 March 2022, 02:30–03:10 CET"
    )
    assert cancelled.endswith("Paris your zone Thursday 10 March 2022, 13:10–14:00 CET")
    remembered = entries_of(client.get(CHANGES))
    assert remembered == [moved, cancelled]


@pytest.mark.parametrize("garbage", ["Mars/Olympus", "<script>", "x" * 500])
def test_a_bad_zone_is_ignored_with_a_note(client, forum, two_changes, garbage):
    response = client.get(CHANGES, {"tz": garbage})
    assert response.status_code == 200
    assert response.context["rejected_zone"] == garbage[:64]
    assert [len(entry.zones) for entry in response.context["entries"]] == [2, 2]
    assert "is not a time zone we know, so it was ignored" in response.content.decode()


@pytest.mark.parametrize("path", [
    "/en/events/no-such-event/changes/",
    "/ja/events/no-such-event/changes/",
    "/en/events/zccf-2022/changes/extra/",
])
def test_unknown_event_is_404(client, forum, path):
    assert client.get(path).status_code == 404


def test_event_pages_link_to_the_changelog(client, forum):
    link = '<a href="/en/events/zccf-2022/changes/">Changes</a>'
    for path in ["/en/events/zccf-2022/", "/en/events/zccf-2022/agenda/"]:
        assert link in client.get(path).content.decode()
    current = '<a href="/en/events/zccf-2022/changes/" aria-current="page">Changes</a>'
    assert current in client.get(CHANGES).content.decode()


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_number_of_changes(
    client, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_ENABLED = False  # count the view's own queries on every request
    day = make_day(make_event("busy-event"), 1, date(2022, 3, 9))
    sessions = [make_session(day, datetime(2022, 3, 9, 8, 0) + timedelta(hours=h), slug=f"s{h}")
                for h in range(12)]
    counts = []
    for session in sessions:
        for _ in range(2):
            session.start += timedelta(minutes=5)
            session.end += timedelta(minutes=5)
            agenda_services.save_session(session)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/en/events/busy-event/changes/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["entries"]) == 24
    assert len(set(counts)) == 1
    # The event, its changes, and where it stands (its days and sessions).
    with django_assert_max_num_queries(4):
        client.get("/en/events/busy-event/changes/?tz=Asia/Tokyo")


def status(response):
    return response.get(STATUS_HEADER)


def test_the_page_is_cached_and_a_new_change_shows_at_once(client, forum, clock):
    assert status(client.get(CHANGES)) == "miss"
    cached = client.get(CHANGES)
    assert (status(cached), entries_of(cached)) == ("hit", [])

    move(forum, "session-1", 10)
    fresh = client.get(CHANGES)
    assert status(fresh) == "miss"
    assert [entry.split(" Rescheduled")[0] for entry in entries_of(fresh)] == [SESSION_1_TITLE]
    assert status(client.get(CHANGES)) == "hit"


def test_a_change_record_alone_makes_the_page_stale(client, forum, clock):
    client.get(CHANGES)
    assert status(client.get(CHANGES)) == "hit"
    session = Session.objects.get(event=forum, slug="session-1")
    # Written without saving the session, so only the record's own signal can renew the cache.
    SessionChange.objects.create(
        session=session, kind=SessionChange.Kind.CANCELLED,
        old_start=session.start, old_end=session.end, new_start=session.start,
        new_end=session.end, old_status="scheduled", new_status="cancelled",
    )
    fresh = client.get(CHANGES)
    assert status(fresh) == "miss"
    assert len(entries_of(fresh)) == 1


def test_a_change_leaves_other_events_changelogs_cached(client, forum, dien_bien, clock):
    other = "/en/events/dien-bien-2024/changes/"
    client.get(other)
    assert status(client.get(other)) == "hit"
    move(forum, "session-1", 10)
    assert status(client.get(other)) == "hit"
