"""What the programme pages weigh: bytes of HTML, elements, and database queries.

The forum's agenda (15 sessions, two days, EST and JST) must stay under 40 KB
of HTML and 600 elements, and each session page under 20 KB, in every
language and with a viewer zone as well: every time in every zone, the
speakers, parallel sessions side by side and the calendar links included.
"""

from html.parser import HTMLParser

import pytest

from agenda.models import Session
from tests.factories import make_event, make_programme

AGENDA_BYTES = 40 * 1024
AGENDA_ELEMENTS = 600
SESSION_BYTES = 20 * 1024
LANGUAGES = ["en", "ja", "vi"]


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1

    def handle_startendtag(self, tag, attrs):
        self.count += 1


def elements(html: str) -> int:
    """How many elements the page has: its start tags, as html.parser reads them."""
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.count


@pytest.mark.parametrize("query", ["", "?tz=Europe/Paris"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_forum_agenda_is_under_40_kb_and_600_elements(client, forum, lang, query):
    response = client.get(f"/{lang}/events/zccf-2022/agenda/{query}")
    assert response.status_code == 200
    html = response.content.decode()

    assert len(response.content) <= AGENDA_BYTES
    assert elements(html) <= AGENDA_ELEMENTS
    # Nothing left out to get there: every session, every zone of every slot.
    zones = 3 if query else 2
    assert html.count('<article class="session ') == 15
    assert html.count('<td class="programme__time') == 13 * zones  # two slots run two each
    assert html.count('<details class="calendar-menu">') == 12  # every session but breaks


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_session_page_of_the_forum_is_under_20_kb(client, forum, lang):
    sizes = {}
    for session in Session.objects.filter(event=forum).order_by("start", "track"):
        response = client.get(f"/{lang}/events/zccf-2022/sessions/{session.slug}/?tz=Asia/Hanoi")
        assert response.status_code == 200
        sizes[session.slug] = len(response.content)

    assert len(sizes) == 15
    assert {slug: size for slug, size in sizes.items() if size > SESSION_BYTES} == {}


def test_the_elements_are_counted_as_start_tags():
    assert elements('<p class="a">One <a href="/">two</a><br></p><img src="x.png" alt="" />') \
        == 4


# Queries: a fixed number per page, whatever the size of the programme --------------

@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_ENABLED = False  # count the view's own queries on every request


@pytest.mark.parametrize(("slug", "first", "then"), [
    # The event; its days and sessions (read once for where it stands and the
    # programme); the speakers of the blocks to render. Then none: the
    # programme and every block are kept (agenda/kept_programme.py,
    # agenda/session_cards.py).
    ("zccf-2022", 4, 0),
    # A big programme, shown a day at a time: the same, and the filters'
    # choices (tracks and kinds, speakers), which are read on every request.
    ("big-programme", 6, 2),
])
def test_the_agenda_runs_a_fixed_number_of_queries_fewer_once_its_programme_is_kept(
        client, forum, uncached, django_assert_num_queries, slug, first, then):
    make_programme(make_event("big-programme"), 200)

    with django_assert_num_queries(first):
        assert client.get(f"/en/events/{slug}/agenda/").status_code == 200
    with django_assert_num_queries(then):
        assert client.get(f"/en/events/{slug}/agenda/").status_code == 200
    with django_assert_num_queries(then):
        assert client.get(f"/en/events/{slug}/agenda/?tz=Asia/Tokyo").status_code == 200


@pytest.mark.parametrize(("session", "queries"), [
    # The event; its days and sessions (read once for where it stands, the
    # session and its parallel ones); the session's speakers; the organisations
    # (structured data).
    ("opening-remarks-day-1", 5),
    ("parallel-session-1", 5),
])
def test_a_session_page_runs_a_fixed_number_of_queries(client, forum, uncached,
                                                       django_assert_num_queries, session,
                                                       queries):
    with django_assert_num_queries(queries):
        response = client.get(f"/en/events/zccf-2022/sessions/{session}/")
    assert response.status_code == 200
