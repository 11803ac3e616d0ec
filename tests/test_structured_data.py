"""What search engines and link previews read: schema.org JSON-LD, meta description, Open Graph."""

import json
import re
from html import unescape

import pytest

from agenda.models import Session

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
MOEJ = {"@type": "Organization", "name": "Ministry of the Environment, Japan"}
US_ENVOY = {
    "@type": "Organization",
    "name": "Office of the Special Presidential Envoy for Climate, United States of America",
}


def json_ld(response):
    """Every JSON-LD block of the page, parsed."""
    html = response.content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def meta(response):
    """The page's <meta name|property=… content=…> as a dict (the last one of each name wins)."""
    html = response.content.decode()
    found = {}
    for key, content in re.findall(
        r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html
    ):
        found.setdefault(key, []).append(unescape(content))
    return found


def test_the_forum_overview_describes_an_online_event_in_english(client, forum):
    response = client.get("/en/events/zccf-2022/")
    assert json_ld(response) == [
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": "Zero Carbon City International Forum",
            "description": forum.tagline_en,
            "url": f"{BASE}/en/events/zccf-2022/",
            "eventStatus": "https://schema.org/EventScheduled",
            "startDate": "2022-03-09T20:00:00-05:00",
            "endDate": "2022-03-10T09:15:00-05:00",
            "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
            "location": {"@type": "VirtualLocation", "url": f"{BASE}/en/events/zccf-2022/"},
            "organizer": [MOEJ, US_ENVOY],
            "inLanguage": ["ja", "en"],
            # The suite's clock is before the forum: registration is open.
            "offers": {
                "@type": "Offer",
                "url": f"{BASE}/en/events/zccf-2022/register/",
                "price": "0",
                "availability": "https://schema.org/InStock",
            },
        }
    ]
    tags = meta(response)
    assert tags["description"] == [forum.tagline_en]
    assert tags["og:title"] == ["Zero Carbon City International Forum"]
    assert tags["og:description"] == [forum.tagline_en]
    assert tags["og:url"] == [f"{BASE}/en/events/zccf-2022/"]
    assert tags["og:type"] == ["website"]
    assert tags["og:site_name"] == ["Climate forums"]
    assert tags["og:locale"] == ["en_GB"]
    assert tags["og:locale:alternate"] == ["ja_JP", "vi_VN"]
    assert tags["twitter:card"] == ["summary"]


def test_a_session_in_japanese_is_part_of_the_forum(client, forum):
    session = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    response = client.get("/ja/events/zccf-2022/sessions/opening-remarks-day-1/?tz=Europe/Paris")
    (data,) = json_ld(response)
    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": session.title_ja,
        "description": session.description_ja,
        "url": f"{BASE}/ja/events/zccf-2022/sessions/opening-remarks-day-1/",
        # In the organisers' zone, whatever the viewer's zone.
        "startDate": "2022-03-09T20:00:00-05:00",
        "endDate": "2022-03-09T20:10:00-05:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": f"{BASE}/ja/events/zccf-2022/"},
        "organizer": [
            {"@type": "Organization", "name": "環境省"},
            {"@type": "Organization", "name": "米国気候問題担当大統領特使室"},
        ],
        "inLanguage": ["ja", "en"],
        "offers": {
            "@type": "Offer",
            "url": f"{BASE}/ja/events/zccf-2022/register/",
            "price": "0",
            "availability": "https://schema.org/InStock",
        },
        "performer": [{"@type": "Person", "name": "山口壯"}],
        "superEvent": {
            "@type": "Event",
            "name": "ゼロカーボンシティ国際フォーラム",
            "url": f"{BASE}/ja/events/zccf-2022/",
        },
    }
    tags = meta(response)
    assert tags["description"] == [session.description_ja]
    assert tags["og:title"] == [session.title_ja]
    assert tags["og:url"] == [f"{BASE}/ja/events/zccf-2022/sessions/opening-remarks-day-1/"]
    assert tags["og:locale"] == ["ja_JP"]
    assert tags["og:locale:alternate"] == ["en_GB", "vi_VN"]


def test_day_two_is_dated_in_new_york(client, forum):
    (data,) = json_ld(client.get("/en/events/zccf-2022/sessions/parallel-session-1/"))
    assert (data["startDate"], data["endDate"]) == (
        "2022-03-10T07:10:00-05:00", "2022-03-10T08:00:00-05:00")


def test_the_dien_bien_workshop_is_in_person_with_dates_only(client, dien_bien):
    response = client.get("/vi/events/dien-bien-2024/")
    (data,) = json_ld(response)
    assert data["@type"] == "Event"
    assert data["name"] == dien_bien.name_vi
    assert data["url"] == f"{BASE}/vi/events/dien-bien-2024/"
    # Its times are not published: the day alone.
    assert (data["startDate"], data["endDate"]) == ("2024-01-12", "2024-01-12")
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place", "name": dien_bien.venue_vi, "address": dien_bien.venue_vi,
    }
    assert data["inLanguage"] == ["vi"]
    assert data["organizer"] and all(o["@type"] == "Organization" for o in data["organizer"])
    assert meta(response)["og:locale"] == ["vi_VN"]


def test_a_cancelled_session_says_so(client, forum):
    Session.objects.filter(event=forum, slug="session-1").update(status="cancelled")
    (data,) = json_ld(client.get("/en/events/zccf-2022/sessions/session-1/"))
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


def test_text_from_the_database_cannot_break_out_of_the_script(client, forum):
    hostile = 'Climate </script><script>alert("x")</script> & <b>more</b>'
    Session.objects.filter(event=forum, slug="session-1").update(
        title_en=hostile, description_en="")
    response = client.get("/en/events/zccf-2022/sessions/session-1/")
    html = response.content.decode()
    assert '<script>alert("x")' not in html
    (data,) = json_ld(response)
    assert data["name"] == hostile
    assert data["description"] == hostile
    assert meta(response)["og:title"] == [hostile]
