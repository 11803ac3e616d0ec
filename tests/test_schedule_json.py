"""/events/<event>/schedule.json: the C3VOC/frab schedule format, validated by its schema."""

import json
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from jsonschema import Draft6Validator, FormatChecker

from agenda.models import Session
from agenda.schedule_json import acronym
from tests.factories import make_day, make_event, make_programme, make_session

SCHEMA = json.loads((Path(__file__).parent / "data" / "schedule-schema.json").read_text("utf-8"))
FORUM_URL = "/events/zccf-2022/schedule.json"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _format_checker() -> FormatChecker:
    """Every format the schema uses, checked strictly (jsonschema alone skips some)."""
    checker = FormatChecker()

    @checker.checks("date-time")
    def date_time(value):
        return not isinstance(value, str) or bool(
            RFC3339.match(value) and datetime.fromisoformat(value).tzinfo
        )

    @checker.checks("uri")
    def uri(value):
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is None or bool(parts.scheme and parts.netloc and " " not in value)

    @checker.checks("date")
    def iso_date(value):
        return not isinstance(value, str) or bool(
            re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and date.fromisoformat(value)
        )

    return checker


def schema_errors(document) -> list[str]:
    """Every schema violation, except the documented one of Event.start (see tests/data)."""
    validator = Draft6Validator(SCHEMA, format_checker=_format_checker())
    errors = []
    for error in validator.iter_errors(document):
        path = list(error.absolute_path)
        is_event_start = (
            error.validator == "format" and len(path) == 8 and path[-1] == "start"
            and path[:5] == ["schedule", "conference", "days", path[3], "rooms"]
        )
        if not is_event_start:
            errors.append(f"{'/'.join(map(str, path))}: {error.message}")
    return errors


def all_events(document) -> list[dict]:
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_forum_schedule_validates_against_the_c3voc_schema(client, forum, lang):
    document = client.get(f"{FORUM_URL}?lang={lang}").json()

    assert schema_errors(document) == []
    # Event.start, the one field exempted above, is the local clock time of "date".
    assert [event["start"] for event in all_events(document)] == [
        event["date"][11:16] for event in all_events(document)
    ]
    assert all(re.fullmatch(r"[0-9]{2}:[0-9]{2}", e["start"]) for e in all_events(document))
    assert len(all_events(document)) == 15


def test_the_schema_check_is_not_toothless(client, forum):
    document = client.get(FORUM_URL).json()
    document["schedule"]["conference"]["acronym"] = "zccf-2022"
    event = all_events(document)[0]
    event["guid"] = "not-a-uuid"
    event["date"] = "2022-03-09 20:00"
    del event["room"]

    assert sorted(schema_errors(document)) == [
        "schedule/conference/acronym: 'zccf-2022' does not match "
        "'^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$'",
        "schedule/conference/days/0/rooms/Main programme/0/date: "
        "'2022-03-09 20:00' is not a 'date-time'",
        "schedule/conference/days/0/rooms/Main programme/0/guid: 'not-a-uuid' is not a 'uuid'",
        "schedule/conference/days/0/rooms/Main programme/0: 'room' is a required property",
    ]


def test_response_headers(client, forum):
    response = client.get(FORUM_URL + "?lang=ja")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Language"] == "ja"
    assert response["Last-Modified"] == "Tue, 15 Feb 2022 00:00:00 GMT"
    # Japanese stays readable in the body rather than \\u escapes.
    assert "ゼロカーボンシティ国際フォーラム".encode() in response.content


def test_forum_conference_header(client, forum):
    response = client.get(FORUM_URL)
    document = response.json()
    conference = {k: v for k, v in document["schedule"]["conference"].items() if k != "days"}

    assert document["$schema"] == "https://c3voc.de/schedule/schema.json"
    assert document["schedule"]["version"] == response["ETag"].strip('"')
    assert document["schedule"]["base_url"] == "http://localhost:8000/"
    assert conference == {
        "acronym": "zccf_2022",
        "title": "Zero Carbon City International Forum",
        "description": (
            "Local governments are increasingly becoming the leading actors in decarbonisation."
        ),
        "start": "2022-03-09",
        "end": "2022-03-10",
        "daysCount": 2,
        "timeslot_duration": "00:05",
        "time_zone_name": "America/New_York",
        "url": "http://localhost:8000/en/events/zccf-2022/",
        "rooms": [
            {"name": "Main programme", "guid": "6a8e2c31-fe55-5ad9-940a-920b1dcf5260"},
            {"name": "Parallel session 1", "guid": "3fdca409-1150-5eea-97b8-0ddce818af9d"},
            {"name": "Parallel session 2", "guid": "ee00a8c0-6a85-5add-9959-b3613ad38222"},
            {"name": "Parallel session 3", "guid": "94825880-b523-5fbb-974d-9d1381691e41"},
            {"name": "Parallel session 4", "guid": "63f5ace0-9291-53fe-93ab-201f423090b4"},
        ],
        "tracks": [
            {"name": "Opening"}, {"name": "Framing session"}, {"name": "Plenary"},
            {"name": "Break"}, {"name": "Closing"}, {"name": "Parallel session"},
            {"name": "Closing plenary"},
        ],
    }


def test_forum_days_and_rooms(client, forum):
    days = client.get(FORUM_URL).json()["schedule"]["conference"]["days"]

    summary = [
        (day["index"], day["date"], day["day_start"], day["day_end"],
         {room: [event["slug"] for event in events] for room, events in day["rooms"].items()})
        for day in days
    ]
    assert summary == [
        (1, "2022-03-09", "2022-03-09T00:00:00-05:00", "2022-03-10T00:00:00-05:00", {
            "Main programme": [
                "zccf-2022-opening-remarks-day-1", "zccf-2022-framing-session",
                "zccf-2022-session-1", "zccf-2022-break-day-1", "zccf-2022-session-2",
                "zccf-2022-closing-remarks-day-1",
            ],
        }),
        (2, "2022-03-10", "2022-03-10T00:00:00-05:00", "2022-03-11T00:00:00-05:00", {
            "Main programme": [
                "zccf-2022-opening-remarks-day-2", "zccf-2022-break-day-2-morning",
                "zccf-2022-break-day-2-late", "zccf-2022-closing-plenary",
                "zccf-2022-closing-remarks-day-2",
            ],
            "Parallel session 1": ["zccf-2022-parallel-session-1"],
            "Parallel session 2": ["zccf-2022-parallel-session-2"],
            "Parallel session 3": ["zccf-2022-parallel-session-3"],
            "Parallel session 4": ["zccf-2022-parallel-session-4"],
        }),
    ]


def test_forum_day_1_opening(client, forum):
    session = forum.sessions.get(slug="opening-remarks-day-1")
    speaker = session.speakers.get()
    day_1 = client.get(FORUM_URL).json()["schedule"]["conference"]["days"][0]

    assert day_1["rooms"]["Main programme"][0] == {
        "id": session.pk,
        "guid": "24c25254-b718-4c0c-ab35-e9fc1048bb75",
        "date": "2022-03-09T20:00:00-05:00",
        "start": "20:00",
        "duration": "00:10",
        "room": "Main programme",
        "slug": "zccf-2022-opening-remarks-day-1",
        "url": "http://localhost:8000/en/events/zccf-2022/sessions/opening-remarks-day-1/",
        "title": "Opening remarks",
        "subtitle": "",
        "track": "Opening",
        "type": "talk",
        "language": "ja",
        "abstract": (
            "Opening remarks by YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan, "
            "and a representative from the United States."
        ),
        "description": "",
        "persons": [{
            "id": speaker.pk,
            "name": "YAMAGUCHI Tsuyoshi",
            "role": "speaker",
            "position": "Minister of the Environment, Japan",
        }],
        "links": [],
        "attachments": [],
    }


def test_forum_parallel_session_in_japanese(client, forum):
    day_2 = client.get(FORUM_URL + "?lang=ja").json()["schedule"]["conference"]["days"][1]

    event = day_2["rooms"]["分科会1"][0]
    with translation.override("ja"):
        parallel_kind = str(Session.Kind.PARALLEL.label)
    assert {key: event[key] for key in (
        "guid", "date", "start", "duration", "room", "title", "track", "type", "url",
    )} == {
        "guid": "fff369ed-fb64-4735-9f3b-45cd79081e50",
        "date": "2022-03-10T07:10:00-05:00",
        "start": "07:10",
        "duration": "00:50",
        "room": "分科会1",
        "title": "分科会1：都市間連携 ― 脱炭素ドミノを加速する",
        "track": parallel_kind,
        "type": "discussion",
        "url": "http://localhost:8000/ja/events/zccf-2022/sessions/parallel-session-1/",
    }


def test_room_guids_do_not_depend_on_the_language(client, forum):
    rooms = {
        lang: [room["guid"] for room in client.get(f"{FORUM_URL}?lang={lang}").json()[
            "schedule"]["conference"]["rooms"]]
        for lang in ("en", "ja", "vi")
    }

    assert rooms["en"] == rooms["ja"] == rooms["vi"]
    assert len(set(rooms["en"])) == 5


def test_dien_bien_without_sessions_is_valid(client, dien_bien):
    document = client.get("/events/dien-bien-2024/schedule.json?lang=vi").json()
    conference = document["schedule"]["conference"]

    assert schema_errors(document) == []
    assert conference["acronym"] == "dien_bien_2024"
    assert conference["title"] == (
        "Hội thảo Phát triển đô thị xanh, thông minh gắn với thị trường tín chỉ cacbon "
        "tỉnh Điện Biên"
    )
    assert conference["time_zone_name"] == "Asia/Ho_Chi_Minh"
    assert conference["days"] == [{
        "index": 1,
        "date": "2024-01-12",
        "day_start": "2024-01-12T00:00:00+07:00",
        "day_end": "2024-01-13T00:00:00+07:00",
        "rooms": {},
    }]


def test_cancelled_sessions_are_left_out(client, forum):
    session = forum.sessions.get(slug="session-2")
    session.status = Session.Status.CANCELLED
    session.save()

    document = client.get(FORUM_URL).json()

    assert str(session.uuid) not in {event["guid"] for event in all_events(document)}
    assert len(all_events(document)) == 14
    assert schema_errors(document) == []


def test_livestream_is_a_link_and_odd_zones_are_left_out(client, db):
    event = make_event(
        "odd-zone", reference_timezone="Etc/GMT+5", display_timezones="Etc/GMT+5",
        livestream_url="https://live.example/odd",
    )
    day = make_day(event, 1, date(2022, 3, 9))
    make_session(day, datetime(2022, 3, 9, 9, 0), 25, slug="only", kind=Session.Kind.BREAK)

    document = client.get("/events/odd-zone/schedule.json").json()
    [event_json] = all_events(document)

    assert schema_errors(document) == []
    assert "time_zone_name" not in document["schedule"]["conference"]
    assert document["schedule"]["conference"]["timeslot_duration"] == "00:05"
    assert event_json["links"] == [{"url": "https://live.example/odd", "title": "Livestream"}]
    assert (event_json["date"], event_json["start"], event_json["duration"]) == (
        "2022-03-09T09:00:00-05:00", "09:00", "00:25"
    )
    assert event_json["type"] == "other"


def test_event_without_days_is_404(client, db):
    make_event("no-days")

    assert client.get("/events/no-days/schedule.json").status_code == 404


@pytest.mark.parametrize(("slug", "expected"), [
    ("zccf-2022", "zccf_2022"),
    ("dien-bien-2024", "dien_bien_2024"),
    ("ab", "ab__"),
    ("Forum--2030", "forum_2030"),
    ("-x-", "x___"),
])
def test_acronym_matches_the_schema_pattern(slug, expected):
    class Event:
        pass

    event = Event()
    event.slug = slug
    pattern = SCHEMA["definitions"]["Conference"]["properties"]["acronym"]["pattern"]

    assert acronym(event) == expected
    assert re.search(pattern, acronym(event))


def test_query_count_does_not_grow_with_the_programme(client, db, django_assert_num_queries):
    small, large = make_event("few"), make_event("many")
    make_programme(small, 3)
    make_programme(large, 120)

    with django_assert_num_queries(5):
        assert client.get("/events/few/schedule.json").status_code == 200
    with django_assert_num_queries(5):
        document = client.get("/events/many/schedule.json").json()
    assert len(all_events(document)) == 120
    assert schema_errors(document) == []
