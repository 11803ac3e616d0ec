"""The zone picker: a short inline select on every event page, every zone on a page of its own.

The inline select offers the event's zones, the viewer's own and "More time
zones…"; /<lang>/events/<event>/zones/ lists the regions and
/<lang>/events/<event>/zones/<region>/ their cities, each leading back to the
page the visitor came from with ?tz=<zone>.
"""

from html.parser import HTMLParser

import pytest
import pytz
from django.core.cache import cache

from agenda import timezones
from agenda.models import Event

AGENDA = "/en/events/zccf-2022/agenda/"
SESSION = "/en/events/zccf-2022/sessions/opening-remarks-day-1/"
ZONES = "/en/events/zccf-2022/zones/"
EVENT_GROUP = "Event time zones"


class _PickerParser(HTMLParser):
    """The inline select's options and the picker page's lists, read from a page."""

    def __init__(self):
        super().__init__()
        self.options = []  # (value, label, selected, optgroup label or None)
        self.lists = {}  # class of a <ul> -> [(link text, href, aria-current)]
        self.links = {}  # class of an <a> -> href
        self._group = None
        self._option = None
        self._list = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "optgroup":
            self._group = attrs["label"]
        elif tag == "option":
            self._option = [attrs["value"], "", "selected" in attrs, self._group]
        elif tag == "ul":
            self._list = attrs.get("class")
            if self._list:
                self.lists[self._list] = []
        elif tag == "a":
            if attrs.get("class"):
                self.links[attrs["class"]] = attrs["href"]
            if self._list:
                self._link = ["", attrs["href"], attrs.get("aria-current")]

    def handle_endtag(self, tag):
        if tag == "optgroup":
            self._group = None
        elif tag == "option":
            self.options.append(tuple(self._option))
            self._option = None
        elif tag == "ul":
            self._list = None
        elif tag == "a" and self._link is not None:
            self.lists[self._list].append(tuple(self._link))
            self._link = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._link is not None:
            self._link[0] += data


def parsed(response):
    parser = _PickerParser()
    parser.feed(response.content.decode())
    return parser


def regions(response):
    return parsed(response).lists["zone-list zone-list--regions"]


def cities(response):
    return parsed(response).lists["zone-list"]


def ways_back(response):
    return [href for _text, href, _current in parsed(response).lists["zone-picker-page__ways-back"]]


# --- the inline picker --------------------------------------------------------

def test_the_inline_picker_offers_the_event_zones_and_more(client, forum):
    response = client.get(AGENDA)
    assert parsed(response).options == [
        ("", "Only the event's time zones", False, None),
        ("America/New_York", "New York", False, EVENT_GROUP),
        ("Asia/Tokyo", "Tokyo", False, EVENT_GROUP),
        ("more", "More time zones…", False, None),
    ]
    assert parsed(response).links["zone-picker__more"] == ZONES


@pytest.mark.parametrize(("query", "cookie", "own"), [
    ("?tz=Europe/Paris", None, ("Europe/Paris", "Paris", True, None)),
    ("", "Asia/Kolkata", ("Asia/Kolkata", "Kolkata", True, None)),
    ("?tz=Pacific/Honolulu", "Asia/Kolkata", ("Pacific/Honolulu", "Honolulu", True, None)),
])
def test_the_inline_picker_adds_the_viewers_own_zone_selected(client, forum, query, cookie, own):
    if cookie:
        client.cookies["tz"] = cookie
    options = parsed(client.get(AGENDA + query)).options
    assert options == [
        ("", "Only the event's time zones", False, None),
        ("America/New_York", "New York", False, EVENT_GROUP),
        ("Asia/Tokyo", "Tokyo", False, EVENT_GROUP),
        own,
        ("more", "More time zones…", False, None),
    ]


def test_a_viewer_in_an_event_zone_gets_it_selected_and_listed_once(client, forum):
    assert parsed(client.get(SESSION + "?tz=Asia/Tokyo")).options == [
        ("", "Only the event's time zones", False, None),
        ("America/New_York", "New York", False, EVENT_GROUP),
        ("Asia/Tokyo", "Tokyo", True, EVENT_GROUP),
        ("more", "More time zones…", False, None),
    ]


def test_a_rejected_zone_adds_no_option_and_keeps_its_note(client, forum):
    response = client.get(AGENDA + "?tz=Mars/Olympus")
    assert [value for value, *_rest in parsed(response).options] == [
        "", "America/New_York", "Asia/Tokyo", "more"]
    assert ("“Mars/Olympus” is not a time zone we know, so it was ignored. Times are shown in "
            "the event's zones.") in response.content.decode()


@pytest.mark.parametrize(("language", "options"), [
    ("ja", [("", "イベントのタイムゾーンのみ", False, None),
            ("America/New_York", "ニューヨーク", False, "イベントのタイムゾーン"),
            ("Asia/Tokyo", "東京", False, "イベントのタイムゾーン"),
            ("Europe/Paris", "パリ", True, None),
            ("more", "ほかのタイムゾーン…", False, None)]),
    ("vi", [("", "Chỉ các múi giờ của sự kiện", False, None),
            ("America/New_York", "New York", False, "Múi giờ của sự kiện"),
            ("Asia/Tokyo", "Tokyo", False, "Múi giờ của sự kiện"),
            ("Europe/Paris", "Paris", True, None),
            ("more", "Múi giờ khác…", False, None)]),
])
def test_the_inline_picker_in_japanese_and_vietnamese(client, forum, language, options):
    response = client.get(f"/{language}/events/zccf-2022/agenda/?tz=Europe/Paris")
    assert parsed(response).options == options


def test_the_inline_picker_is_a_few_options_not_the_whole_world(client, forum):
    html = client.get(AGENDA).content.decode()
    assert html.count("<option") == 4
    assert html.count("<optgroup") == 1


def test_more_time_zones_leads_back_to_the_page_it_came_from(client, forum):
    more = parsed(client.get(SESSION + "?tz=Europe/Paris")).links["zone-picker__more"]
    assert more == ZONES + "?next=%2Fen%2Fevents%2Fzccf-2022%2Fsessions%2Fopening-remarks-day-1%2F"
    select = '<select id="tz-select" name="tz" data-current-zone="Europe/Paris" ' \
             f'data-more-url="{more}">'
    assert select in client.get(SESSION + "?tz=Europe/Paris").content.decode()


@pytest.mark.parametrize(("path", "location"), [
    (AGENDA + "?tz=more", ZONES),
    (SESSION + "?tz=more",
     ZONES + "?next=%2Fen%2Fevents%2Fzccf-2022%2Fsessions%2Fopening-remarks-day-1%2F"),
    ("/en/events/zccf-2022/changes/?tz=more",
     ZONES + "?next=%2Fen%2Fevents%2Fzccf-2022%2Fchanges%2F"),
    ("/ja/events/zccf-2022/agenda/?tz=more", "/ja/events/zccf-2022/zones/"),
])
def test_more_time_zones_sent_without_javascript_redirects_to_the_picker(client, forum, path,
                                                                         location):
    client.cookies["tz"] = "Asia/Kolkata"
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, location)
    assert "tz" not in response.cookies  # the remembered zone is left as it was


# --- the picker page: regions -------------------------------------------------

def test_the_picker_lists_the_regions(client, forum):
    response = client.get(ZONES)
    assert response.status_code == 200
    assert regions(response) == [
        (name, f"{ZONES}{slug}/", None) for slug, name in [
            ("africa", "Africa"), ("america", "America"), ("antarctica", "Antarctica"),
            ("arctic", "Arctic"), ("asia", "Asia"), ("atlantic", "Atlantic Ocean"),
            ("australia", "Australia"), ("canada", "Canada"), ("europe", "Europe"),
            ("indian", "Indian Ocean"), ("pacific", "Pacific Ocean"), ("us", "United States"),
            ("utc", "UTC and GMT"),
        ]
    ]
    assert ways_back(response) == [AGENDA, AGENDA + "?tz="]
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Choose your time zone<span" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_every_common_zone_is_in_exactly_one_region():
    listed = [zone for region in timezones.picker_regions() for zone, _city in region.cities]
    assert sorted(listed) == sorted(zone for zone in pytz.common_timezones
                                    if timezones.is_valid_zone(zone))


def test_the_regions_carry_next_along(client, forum):
    response = client.get(ZONES + "?next=" + SESSION)
    assert regions(response)[8] == (
        "Europe", ZONES + "europe/?next=%2Fen%2Fevents%2Fzccf-2022%2Fsessions%2F"
        "opening-remarks-day-1%2F", None)
    assert ways_back(response) == [SESSION, SESSION + "?tz="]


# --- the picker page: cities --------------------------------------------------

def test_a_region_lists_its_cities_with_their_zone_at_the_events_start(client, forum):
    response = client.get(ZONES + "us/")
    assert response.status_code == 200
    assert cities(response) == [
        (f"{city} ({abbreviation})", f"{AGENDA}?tz=US%2F{zone}", None)
        for zone, city, abbreviation in [
            ("Alaska", "Anchorage", "AKST"), ("Central", "Chicago", "CST"),
            ("Mountain", "Denver", "MST"), ("Hawaii", "Honolulu", "HST"),
            ("Pacific", "Los Angeles", "PST"), ("Eastern", "New York", "EST"),
            ("Arizona", "Phoenix", "MST"),
        ]
    ]
    html = response.content.decode()
    assert "<h1>United States<span" in html
    assert parsed(response).lists["zone-picker-page__ways-back"][0] == (
        "Back without changing the time zone", AGENDA, None)
    assert f'<a href="{ZONES}">All regions</a>' in html


def test_europe_links_paris_back_to_the_agenda(client, forum):
    listed = cities(client.get(ZONES + "europe/"))
    assert len(listed) == 58
    assert ("Paris (CET)", AGENDA + "?tz=Europe%2FParis", None) in listed
    assert ("London (GMT)", AGENDA + "?tz=Europe%2FLondon", None) in listed


def test_the_viewers_zone_is_marked_in_its_region(client, forum):
    client.cookies["tz"] = "Europe/Paris"
    response = client.get(ZONES + "europe/")
    marked = [(text, current) for text, _href, current in cities(response) if current]
    assert marked == [("Paris (CET)", "true")]
    assert ('>Paris (CET)</a> <span class="badge">your zone</span>'
            in response.content.decode())


def test_utc_and_gmt_are_a_region_of_their_own(client, forum):
    assert cities(client.get(ZONES + "utc/")) == [
        ("GMT", AGENDA + "?tz=GMT", None), ("UTC", AGENDA + "?tz=UTC", None)]


def test_unknown_region_is_404_with_the_list_of_regions(client, forum):
    response = client.get(ZONES + "mars/")
    assert response.status_code == 404
    assert ('<p class="notice notice--warning" role="status">There is no region called “mars”. '
            'Choose one from the list below.</p>') in response.content.decode()
    assert len(regions(response)) == 13
    assert response["X-Page-Cache"] == "miss"
    assert client.get(ZONES + "mars/")["X-Page-Cache"] == "miss"  # a 404 is never stored


@pytest.mark.parametrize("path", [
    "/en/events/no-such-event/zones/",
    "/en/events/no-such-event/zones/europe/",
    "/en/events/zccf-2022/zones/%E2%80%AE/",
    "/en/events/zccf-2022/zones/europe/paris/",
])
def test_other_unknown_addresses_are_404(client, forum, path):
    assert client.get(path).status_code == 404


def test_a_draft_events_picker_is_hidden_from_the_public(client, forum):
    Event.objects.filter(pk=forum.pk).update(published=False)
    cache.clear()
    assert client.get(ZONES).status_code == 404
    assert client.get(ZONES + "europe/").status_code == 404


def test_the_picker_is_read_only(client, forum):
    response = client.post(ZONES + "europe/")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")


# --- where a city leads: next -------------------------------------------------

@pytest.mark.parametrize("next_value", [
    None,
    "",
    "https://evil.example/",
    "http://testserver/en/events/zccf-2022/sessions/opening-remarks-day-1/",
    "//evil.example/en/events/zccf-2022/agenda/",
    "/\\evil.example/",
    "///evil.example/",
    "javascript:alert(1)",
    " /en/events/zccf-2022/changes/",
    "/en/events/zccf-2022/changes/\n",
    "/en/events/zccf-2022/\x00/",
    "/en/events/dien-bien-2024/agenda/",  # another event's page
    "/en/events/zccf-2022/zones/",  # the picker itself
    "/en/events/zccf-2022/zones/asia/",
    "/en/events/zccf-2022/register/",  # not a page with times
    "/en/",
    "/admin/",
    "/xx/events/zccf-2022/agenda/",
    "/en/events/zccf-2022/nothing-here/",
    "/en/events/zccf-2022/" + "a" * 3000 + "/",
])
def test_a_bad_or_missing_next_falls_back_to_the_agenda(client, forum, next_value):
    query = {} if next_value is None else {"next": next_value}
    response = client.get(ZONES + "europe/", query)
    assert response.status_code == 200
    assert ("Paris (CET)", AGENDA + "?tz=Europe%2FParis", None) in cities(response)
    assert ways_back(response) == [AGENDA, AGENDA + "?tz="]


@pytest.mark.parametrize(("picker", "next_value", "paris"), [
    (ZONES, SESSION, SESSION + "?tz=Europe%2FParis"),
    (ZONES, "/en/events/zccf-2022/changes/", "/en/events/zccf-2022/changes/?tz=Europe%2FParis"),
    (ZONES, "/en/events/zccf-2022/", "/en/events/zccf-2022/?tz=Europe%2FParis"),
    (ZONES, "/en/events/zccf-2022/speakers/yamaguchi-tsuyoshi/",
     "/en/events/zccf-2022/speakers/yamaguchi-tsuyoshi/?tz=Europe%2FParis"),
    # The zone it had is replaced; the page's other parameters stay.
    (ZONES, AGENDA + "?tz=Asia/Kolkata&day=2", AGENDA + "?day=2&tz=Europe%2FParis"),
    # Switching language on the picker: the way back is in the picker's language.
    ("/ja/events/zccf-2022/zones/", SESSION,
     "/ja/events/zccf-2022/sessions/opening-remarks-day-1/?tz=Europe%2FParis"),
])
def test_a_city_leads_back_to_the_page_it_came_from(client, forum, picker, next_value, paris):
    listed = cities(client.get(picker + "europe/", {"next": next_value}))
    assert [href for _text, href, _current in listed if "Paris" in href] == [paris]


def test_the_language_switcher_keeps_next(client, forum):
    html = client.get(ZONES + "europe/", {"next": SESSION}).content.decode()
    assert ('<a href="/vi/events/zccf-2022/zones/europe/?next=%2Fen%2Fevents%2Fzccf-2022%2F'
            'sessions%2Fopening-remarks-day-1%2F" hreflang="vi" lang="vi">Tiếng Việt</a>') in html


def test_choosing_a_city_shows_and_remembers_its_zone(client, forum):
    client.get(SESSION + "?tz=more")
    listed = cities(client.get(ZONES + "europe/", {"next": SESSION}))
    paris = next(href for text, href, _current in listed if text == "Paris (CET)")
    response = client.get(paris)
    assert response.status_code == 200
    assert response.cookies["tz"].value == "Europe/Paris"
    assert [zone.zone_name for zone in response.context["times"]] == [
        "America/New_York", "Asia/Tokyo", "Europe/Paris"]
    # Remembered everywhere, without ?tz=.
    agenda = client.get(AGENDA)
    assert agenda.context["viewer_zone"] == "Europe/Paris"
    assert ("Europe/Paris", "Paris", True, None) in parsed(agenda).options
    marked = [text for text, _href, current in cities(client.get(ZONES + "europe/")) if current]
    assert marked == ["Paris (CET)"]


def test_show_only_the_events_zones_clears_the_remembered_zone(client, forum):
    client.cookies["tz"] = "Europe/Paris"
    clear = ways_back(client.get(ZONES, {"next": SESSION}))[1]
    response = client.get(clear)
    assert response.cookies["tz"].value == ""  # deleted
    assert [zone.zone_name for zone in response.context["times"]] == [
        "America/New_York", "Asia/Tokyo"]


# --- in Japanese and Vietnamese ---------------------------------------------------

@pytest.mark.parametrize(("language", "names", "heading"), [
    ("ja", ["アジア", "アフリカ", "アメリカ", "インド洋", "オーストラリア", "カナダ",
            "ヨーロッパ", "北極", "南極", "大西洋", "太平洋", "米国", "UTC・GMT"],
     "タイムゾーンを選ぶ"),
    ("vi", ["Ấn Độ Dương", "Bắc Cực", "Canada", "Châu Á", "Châu Âu", "Châu Mỹ", "Châu Nam Cực",
            "Châu Phi", "Đại Tây Dương", "Hoa Kỳ", "Thái Bình Dương", "Úc", "UTC và GMT"],
     "Chọn múi giờ của bạn"),
])
def test_the_regions_in_japanese_and_vietnamese(client, forum, language, names, heading):
    response = client.get(f"/{language}/events/zccf-2022/zones/")
    html = response.content.decode()
    assert [text for text, _href, _current in regions(response)] == names
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}<span" in html


@pytest.mark.parametrize(("language", "listed", "back"), [
    ("ja", [("アンカレッジ（AKST）", "Alaska"), ("シカゴ（CST）", "Central"),
            ("デンバー（MST）", "Mountain"),
            ("ニューヨーク（EST）", "Eastern"), ("フェニックス（MST）", "Arizona"),
            ("ホノルル（HST）", "Hawaii"), ("ロサンゼルス（PST）", "Pacific")],
     "タイムゾーンを変えずに戻る"),
    ("vi", [("Anchorage (AKST)", "Alaska"), ("Chicago (CST)", "Central"),
            ("Denver (MST)", "Mountain"), ("Honolulu (HST)", "Hawaii"),
            ("Los Angeles (PST)", "Pacific"), ("New York (EST)", "Eastern"),
            ("Phoenix (MST)", "Arizona")],
     "Quay lại mà không đổi múi giờ"),
])
def test_a_regions_cities_in_japanese_and_vietnamese(client, forum, language, listed, back):
    response = client.get(f"/{language}/events/zccf-2022/zones/us/")
    agenda = f"/{language}/events/zccf-2022/agenda/"
    assert cities(response) == [(text, f"{agenda}?tz=US%2F{zone}", None) for text, zone in listed]
    assert parsed(response).lists["zone-picker-page__ways-back"][0] == (back, agenda, None)


# --- cacheable -------------------------------------------------------------------

@pytest.mark.parametrize("path", [ZONES, ZONES + "europe/", "/ja/events/zccf-2022/zones/asia/"])
def test_the_picker_is_served_from_the_page_cache(client, forum, path):
    first = client.get(path)
    second = client.get(path)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content


def test_a_picker_with_next_is_rendered_fresh_never_stored(client, forum):
    path = ZONES + "europe/?next=" + SESSION
    assert [client.get(path)["X-Page-Cache"] for _ in range(2)] == ["bypass", "bypass"]


@pytest.mark.parametrize("value", [
    "\x00", "%ff%fe", "<script>alert(1)</script>", "../../etc/passwd", "🌏" * 500, "Europe/Paris",
])
@pytest.mark.parametrize("name", ["next", "tz", "region"])
def test_garbage_in_the_query_is_never_a_500(client, forum, name, value):
    assert client.get(ZONES + "asia/", {name: value}).status_code == 200
