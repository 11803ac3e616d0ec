"""The .ics files: one builder, read back with two independent parsers.

Every file is parsed with icalendar (which wrote it) and with vobject (which
did not), and instants are compared in UTC, so a wrong TZID or VTIMEZONE
cannot hide behind a parser that merely reads back its own output.
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.db import connection
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext

from agenda.calendars import build_calendar, clean_text, session_url, vtimezone
from agenda.feeds import with_speakers
from agenda.models import Session, SessionSpeaker, Speaker
from tests.factories import make_day, make_event, make_programme, make_session

FORUM_EVENT_URL = "/events/zccf-2022/calendar.ics"
OPENING_DAY_1 = "24c25254-b718-4c0c-ab35-e9fc1048bb75"  # its UUID in fixtures/zccf-2022.json


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def icalendar_events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def vobject_events(body: bytes) -> dict:
    # vobject keeps the first VTIMEZONE it ever read for a TZID, process-wide
    # (vobject/icalendar.py, registerTzid). Forget them, so that each file is
    # read with its own definitions and not those of an earlier test's file.
    registry = vars(vobject.icalendar)["__tzidMap"]
    utc_zone = registry["UTC"]
    registry.clear()
    registry["UTC"] = utc_zone
    calendar = vobject.readOne(body.decode("utf-8"))
    return {event.uid.value: event for event in calendar.vevent_list}


def instants(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """UID → (start, end) in UTC, read by both parsers, which must agree."""
    by_icalendar = {
        uid: (event.start.astimezone(UTC), event.end.astimezone(UTC))
        for uid, event in icalendar_events(body).items()
    }
    by_vobject = {
        uid: (event.dtstart.value.astimezone(UTC), event.dtend.value.astimezone(UTC))
        for uid, event in vobject_events(body).items()
    }
    assert by_icalendar == by_vobject
    return by_icalendar


def unfolded_lines(body: bytes) -> list[str]:
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def vtimezone_blocks(body: bytes) -> dict[str, list[str]]:
    """TZID → the content lines of its VTIMEZONE."""
    blocks, current = {}, None
    for line in unfolded_lines(body):
        if line == "BEGIN:VTIMEZONE":
            current = []
        elif line == "END:VTIMEZONE":
            blocks[current[0].removeprefix("TZID:")] = current
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def assert_bytes_well_formed(body: bytes):
    """CRLF only, ≤75 octets a line, every line valid UTF-8 alone, no BOM."""
    assert not body.startswith(b"\xef\xbb\xbf")
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character


def assert_times_anchored(body: bytes):
    """No floating time: every DTSTART/DTEND has a TZID with a VTIMEZONE, or is UTC."""
    zones = vtimezone_blocks(body)
    in_event = False
    checked = 0
    for line in unfolded_lines(body):
        if line == "BEGIN:VEVENT":
            in_event = True
        elif line == "END:VEVENT":
            in_event = False
        elif in_event and re.match(r"(DTSTART|DTEND|DTSTAMP|LAST-MODIFIED)[;:]", line):
            checked += 1
            match = re.search(r";TZID=([^:;]+)", line)
            if match:
                assert match.group(1) in zones, line
            else:
                assert line.endswith("Z"), line
    assert checked


def vevent_lines(body: bytes, uid: str) -> list[str]:
    """The content lines of the VEVENT with ``uid``, in order, unfolded."""
    lines = unfolded_lines(body)
    start = lines.index(f"UID:{uid}")
    while lines[start] != "BEGIN:VEVENT":
        start -= 1
    end = lines.index("END:VEVENT", start)
    return lines[start + 1 : end]


def prop(lines: list[str], name: str) -> str:
    values = [line.split(":", 1)[1] for line in lines if re.match(rf"{name}[;:]", line)]
    assert len(values) == 1, (name, values)
    return values[0]


@pytest.fixture
def small_event(db):
    """An online event of one evening with two sessions, a speaker and a livestream."""
    event = make_event(
        "small", name="Small forum", name_ja="小さなフォーラム", venue="Hall A",
        livestream_url="https://live.example/stream",
    )
    day = make_day(event, 1, date(2022, 3, 9))
    first = make_session(
        day, datetime(2022, 3, 9, 20, 0), 30, slug="first", title="First talk",
        title_ja="最初の講演", description="Why cities matter.\n\nA second paragraph.",
    )
    speaker = Speaker.objects.create(
        slug="ada", name="Ada Example", name_ja="エイダ", position="Mayor of Somewhere",
    )
    SessionSpeaker.objects.create(session=first, speaker=speaker, role="moderator", order=1)
    second = make_session(
        day, datetime(2022, 3, 9, 20, 30), 45, slug="second", title="Second talk",
        kind=Session.Kind.PARALLEL, track="Room B",
    )
    return event, first, second


# --- the forum as seeded -------------------------------------------------------------------


def test_forum_day_1_opening_is_20_00_est_in_both_parsers(client, forum):
    body = client.get(FORUM_EVENT_URL).content

    assert instants(body)[OPENING_DAY_1] == (utc(2022, 3, 10, 1, 0), utc(2022, 3, 10, 1, 10))
    lines = vevent_lines(body, OPENING_DAY_1)
    assert [line for line in lines if line.startswith(("DTSTART", "DTEND"))] == [
        "DTSTART;TZID=America/New_York:20220309T200000",
        "DTEND;TZID=America/New_York:20220309T201000",
    ]


def test_forum_event_file_holds_every_session_at_its_instant(client, forum):
    body = client.get(FORUM_EVENT_URL).content

    assert instants(body) == {
        str(session.uuid): (session.start, session.end) for session in forum.sessions.all()
    }
    assert len(instants(body)) == 15


def test_forum_day_2_starts_07_00_est_the_same_tokyo_day_as_day_1(client, forum):
    body = client.get("/events/zccf-2022/days/2.ics").content

    starts = sorted(start for start, _end in instants(body).values())
    assert starts[0] == utc(2022, 3, 10, 12, 0)
    assert starts[0].astimezone(ZoneInfo("Asia/Tokyo")) == datetime(
        2022, 3, 10, 21, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )
    assert set(instants(body)) == {str(s.uuid) for s in forum.sessions.filter(day__number=2)}


def test_uids_are_the_session_uuids_in_event_day_and_session_files(client, forum):
    event_uids = set(icalendar_events(client.get(FORUM_EVENT_URL).content))
    day_uids = set()
    for number in (1, 2):
        body = client.get(f"/events/zccf-2022/days/{number}.ics").content
        day_uids |= set(icalendar_events(body))
    session_uids = set()
    for session in forum.sessions.all():
        body = client.get(f"/events/zccf-2022/sessions/{session.slug}.ics").content
        assert list(icalendar_events(body)) == [str(session.uuid)]
        session_uids |= set(icalendar_events(body))

    expected = {str(uuid) for uuid in forum.sessions.values_list("uuid", flat=True)}
    assert event_uids == day_uids == session_uids == expected


@pytest.mark.parametrize("url", [
    FORUM_EVENT_URL + "?lang=ja",
    "/events/zccf-2022/days/1.ics?lang=vi",
    "/events/zccf-2022/sessions/parallel-session-1.ics?lang=ja",
])
def test_bytes_are_crlf_folded_utf8_without_bom(client, forum, url):
    body = client.get(url).content

    assert_bytes_well_formed(body)
    assert_times_anchored(body)


def test_japanese_text_survives_folding(client, forum):
    body = client.get(FORUM_EVENT_URL + "?lang=ja").content

    summaries = {uid: str(event["SUMMARY"]) for uid, event in icalendar_events(body).items()}
    assert summaries[OPENING_DAY_1] == "開会挨拶"
    assert summaries["fff369ed-fb64-4735-9f3b-45cd79081e50"] == (
        "分科会1：都市間連携 ― 脱炭素ドミノを加速する"
    )
    assert vobject_events(body)["fff369ed-fb64-4735-9f3b-45cd79081e50"].summary.value == (
        "分科会1：都市間連携 ― 脱炭素ドミノを加速する"
    )


def test_vietnamese_summary_and_calendar_name(client, forum):
    body = client.get(FORUM_EVENT_URL + "?lang=vi").content

    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["NAME"]) == "Diễn đàn Quốc tế Thành phố Zero Carbon"
    assert str(calendar["X-WR-CALNAME"]) == "Diễn đàn Quốc tế Thành phố Zero Carbon"
    assert str(icalendar_events(body)[OPENING_DAY_1]["SUMMARY"]) == "Phát biểu khai mạc"


def test_forum_opening_description_lists_the_speaker(client, forum):
    body = client.get("/events/zccf-2022/sessions/opening-remarks-day-1.ics").content

    assert vobject_events(body)[OPENING_DAY_1].description.value == (
        "Opening remarks by YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan, "
        "and a representative from the United States.\n\n"
        "Speakers:\n- YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan (Speaker)\n"
        "- Representative of the United States\n\n"
        "Programme: http://localhost:8000/en/events/zccf-2022/sessions/opening-remarks-day-1/"
    )


def test_vtimezone_covers_only_the_forum_dates(client, forum):
    body = client.get(FORUM_EVENT_URL).content

    assert vtimezone_blocks(body) == {
        "America/New_York": [
            "TZID:America/New_York",
            "BEGIN:STANDARD",
            "DTSTART:20220308T000000",
            "TZNAME:EST",
            "TZOFFSETFROM:-0500",
            "TZOFFSETTO:-0500",
            "END:STANDARD",
        ]
    }


# --- what the language of a feed is ----------------------------------------------------------


@pytest.mark.parametrize(("query", "headers", "summary", "language"), [
    ("?lang=ja", {}, "開会挨拶", "ja"),
    ("?lang=vi", {}, "Phát biểu khai mạc", "vi"),
    ("", {"HTTP_ACCEPT_LANGUAGE": "ja-JP,ja;q=0.9"}, "開会挨拶", "ja"),
    ("?lang=en", {"HTTP_ACCEPT_LANGUAGE": "ja"}, "Opening remarks", "en"),
    ("", {}, "Opening remarks", "en"),
    ("?lang=xx", {}, "Opening remarks", "en"),
    ("?lang=%00%ff<script>", {}, "Opening remarks", "en"),
    ("?lang=" + "j" * 5000, {}, "Opening remarks", "en"),
    ("?lang=xx", {"HTTP_ACCEPT_LANGUAGE": "vi"}, "Phát biểu khai mạc", "vi"),
])
def test_language_from_query_then_accept_language_then_english(
    client, forum, query, headers, summary, language
):
    response = client.get(FORUM_EVENT_URL + query, **headers)

    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert str(icalendar_events(response.content)[OPENING_DAY_1]["SUMMARY"]) == summary


def test_session_url_is_absolute_and_in_the_language(forum):
    session = forum.sessions.get(slug="session-1")

    assert session_url(session, "ja") == (
        "http://localhost:8000/ja/events/zccf-2022/sessions/session-1/"
    )
    assert session_url(session, "nonsense") == (
        "http://localhost:8000/en/events/zccf-2022/sessions/session-1/"
    )


# --- HTTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "disposition"), [
    (FORUM_EVENT_URL, 'attachment; filename="Zero Carbon City International Forum.ics"'),
    ("/events/zccf-2022/days/2.ics", (
        'attachment; filename="Zero Carbon City International Forum - Day 2.ics"'
    )),
    ("/events/zccf-2022/sessions/break-day-1.ics", 'attachment; filename="Break.ics"'),
    (FORUM_EVENT_URL + "?lang=ja", (
        "attachment; filename=\"zccf-2022.ics\"; filename*=utf-8''"
        "%E3%82%BC%E3%83%AD%E3%82%AB%E3%83%BC%E3%83%9C%E3%83%B3%E3%82%B7%E3%83%86%E3%82%A3"
        "%E5%9B%BD%E9%9A%9B%E3%83%95%E3%82%A9%E3%83%BC%E3%83%A9%E3%83%A0.ics"
    )),
    ("/events/zccf-2022/sessions/opening-remarks-day-1.ics?lang=vi", (
        "attachment; filename=\"zccf-2022-opening-remarks-day-1.ics\"; "
        "filename*=utf-8''Ph%C3%A1t%20bi%E1%BB%83u%20khai%20m%E1%BA%A1c.ics"
    )),
])
def test_content_type_and_disposition(client, forum, url, disposition):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == disposition


def test_filename_drops_characters_filesystems_reject(client, small_event):
    event, first, _second = small_event
    first.title = 'A/B: "C"? <D>|E\\F*\x07'
    first.save()

    response = client.get("/events/small/sessions/first.ics")

    assert response["Content-Disposition"] == 'attachment; filename="A B C D E F.ics"'


def test_feeds_refresh_hourly_and_one_session_file_does_not(client, forum):
    for url in (FORUM_EVENT_URL, "/events/zccf-2022/days/1.ics"):
        calendar = icalendar.Calendar.from_ical(client.get(url).content)
        assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
        assert calendar["REFRESH-INTERVAL"].params == {"VALUE": "DURATION"}
        assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["PRODID"]) == "-//Forum site//Programme calendar//EN"

    single = icalendar.Calendar.from_ical(
        client.get("/events/zccf-2022/sessions/session-1.ics").content
    )
    assert "REFRESH-INTERVAL" not in single
    assert "X-PUBLISHED-TTL" not in single
    assert str(single["NAME"]) == (
        "Zero Carbon City International Forum - Session 1: Net-zero transition: "
        "how cities move towards zero carbon"
    )


def test_conditional_get_with_etag_and_with_last_modified(client, forum):
    first = client.get(FORUM_EVENT_URL)
    etag = first["ETag"]

    assert first["Last-Modified"] == "Tue, 15 Feb 2022 00:00:00 GMT"
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)

    by_etag = client.get(FORUM_EVENT_URL, HTTP_IF_NONE_MATCH=etag)
    assert (by_etag.status_code, by_etag.content, by_etag["ETag"]) == (304, b"", etag)

    by_date = client.get(FORUM_EVENT_URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert (by_date.status_code, by_date.content) == (304, b"")

    older = client.get(FORUM_EVENT_URL, HTTP_IF_MODIFIED_SINCE="Mon, 14 Feb 2022 00:00:00 GMT")
    assert older.status_code == 200

    other_language = client.get(FORUM_EVENT_URL + "?lang=ja", HTTP_IF_NONE_MATCH=etag)
    assert other_language.status_code == 200
    assert other_language["ETag"] != etag


@pytest.mark.parametrize("url", [
    "/events/zccf-2022/days/1.ics",
    "/events/zccf-2022/sessions/session-1.ics",
    "/events/zccf-2022/schedule.json",
])
def test_every_feed_answers_304_to_its_own_etag(client, forum, url):
    etag = client.get(url)["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_changed_session_changes_etag_and_last_modified(client, forum):
    first = client.get(FORUM_EVENT_URL)
    session = forum.sessions.get(slug="session-2")
    session.end += timedelta(minutes=5)
    session.save()

    again = client.get(FORUM_EVENT_URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again["Last-Modified"] == http_date(session.updated_at.timestamp())


def test_editing_the_event_venue_changes_the_etag(client, forum):
    etag = client.get(FORUM_EVENT_URL)["ETag"]
    forum.venue = "Online"
    forum.save()

    assert client.get(FORUM_EVENT_URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("url", [
    "/events/no-such-event/calendar.ics",
    "/events/no-such-event/days/1.ics",
    "/events/zccf-2022/days/3.ics",
    "/events/zccf-2022/days/0.ics",
    "/events/dien-bien-2024/days/2.ics",
    "/events/zccf-2022/sessions/no-such-session.ics",
    "/events/dien-bien-2024/sessions/session-1.ics",
    "/events/no-such-event/schedule.json",
])
def test_unknown_event_day_or_session_is_404(client, seed_events, url):
    assert client.get(url).status_code == 404


def test_post_is_not_allowed(client, forum):
    assert client.post(FORUM_EVENT_URL).status_code == 405


def test_an_event_without_sessions_is_an_empty_calendar(client, dien_bien):
    response = client.get("/events/dien-bien-2024/calendar.ics?lang=vi")

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE") == []
    assert str(calendar["NAME"]) == (
        "Hội thảo Phát triển đô thị xanh, thông minh gắn với thị trường tín chỉ cacbon "
        "tỉnh Điện Biên"
    )
    assert_bytes_well_formed(response.content)


def test_query_count_does_not_grow_with_the_programme(client, db, django_assert_num_queries):
    small, large = make_event("few"), make_event("many")
    make_programme(small, 3)
    make_programme(large, 120)

    with django_assert_num_queries(4):
        assert client.get("/events/few/calendar.ics").status_code == 200
    with django_assert_num_queries(4):
        response = client.get("/events/many/calendar.ics")
    assert len(icalendar_events(response.content)) == 120
    with django_assert_num_queries(4):
        assert client.get("/events/many/days/2.ics").status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/events/many/sessions/d1-s7.ics").status_code == 200


# --- the builder on synthetic data ------------------------------------------------------------


def test_one_vevent_carries_every_property(client, small_event):
    event, first, _second = small_event

    body = client.get("/events/small/calendar.ics").content
    lines = vevent_lines(body, str(first.uuid))

    stamp = first.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert sorted(lines) == sorted([
        f"UID:{first.uuid}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        "SEQUENCE:0",
        "DTSTART;TZID=America/New_York:20220309T200000",
        "DTEND;TZID=America/New_York:20220309T203000",
        "STATUS:CONFIRMED",
        "SUMMARY:First talk",
        "DESCRIPTION:Why cities matter.\\n\\nA second paragraph.\\n\\nSpeakers:\\n"
        "- Ada Example\\, Mayor of Somewhere (Moderator)\\n\\n"
        "Livestream: https://live.example/stream\\n\\n"
        "Programme: http://localhost:8000/en/events/small/sessions/first/",
        "LOCATION:https://live.example/stream",
        "URL:http://localhost:8000/en/events/small/sessions/first/",
        "CATEGORIES:Plenary",
        "TRANSP:OPAQUE",
    ])


def test_location_is_the_venue_without_livestream(client, small_event):
    event, _first, second = small_event
    event.livestream_url = ""
    event.save()

    lines = vevent_lines(client.get("/events/small/calendar.ics").content, str(second.uuid))

    assert prop(lines, "LOCATION") == "Hall A"
    assert prop(lines, "CATEGORIES") == "Parallel session"


def test_japanese_request_gets_japanese_text_with_english_fallback(client, small_event):
    _event, first, second = small_event

    body = client.get("/events/small/calendar.ics?lang=ja").content
    events = vobject_events(body)

    assert events[str(first.uuid)].summary.value == "最初の講演"
    assert events[str(second.uuid)].summary.value == "Second talk"  # no Japanese title
    # Labels come from the ja catalogue (English until translated); the data is Japanese.
    with translation.override("ja"):
        speakers, moderator = gettext("Speakers:"), str(SessionSpeaker.Role.MODERATOR.label)
        livestream = gettext("Livestream: %(url)s") % {"url": "https://live.example/stream"}
        page = gettext("Programme: %(url)s") % {
            "url": "http://localhost:8000/ja/events/small/sessions/first/"
        }
    assert events[str(first.uuid)].description.value == (
        f"Why cities matter.\n\nA second paragraph.\n\n{speakers}\n"
        f"- エイダ Mayor of Somewhere（{moderator}）\n\n{livestream}\n\n{page}"
    )


def test_editing_the_time_raises_sequence_and_moves_last_modified(client, small_event):
    _event, first, _second = small_event
    Session.objects.filter(pk=first.pk).update(updated_at=utc(2022, 1, 1))
    url = "/events/small/sessions/first.ics"
    before = vevent_lines(client.get(url).content, str(first.uuid))

    session = Session.objects.get(pk=first.pk)
    session.start += timedelta(minutes=10)
    session.end += timedelta(minutes=10)
    session.save()
    after = vevent_lines(client.get(url).content, str(first.uuid))

    assert prop(before, "SEQUENCE") == "0"
    assert prop(after, "SEQUENCE") == "1"
    assert prop(before, "LAST-MODIFIED") == "20220101T000000Z"
    assert prop(after, "LAST-MODIFIED") == session.updated_at.astimezone(UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert prop(after, "DTSTART;TZID=America/New_York") == "20220309T201000"
    assert prop(after, "UID") == str(first.uuid)


def test_saving_without_changing_time_or_status_keeps_sequence(client, small_event):
    _event, first, _second = small_event
    session = Session.objects.get(pk=first.pk)
    session.title = "First talk, renamed"
    session.save()
    session.save()

    lines = vevent_lines(client.get("/events/small/calendar.ics").content, str(first.uuid))

    assert prop(lines, "SEQUENCE") == "0"
    assert prop(lines, "SUMMARY") == "First talk\\, renamed"  # RFC 5545 escapes the comma


def test_cancelled_session_stays_with_status_cancelled_and_same_uid(client, small_event):
    _event, first, _second = small_event
    session = Session.objects.get(pk=first.pk)
    session.status = Session.Status.CANCELLED
    session.save()

    body = client.get("/events/small/calendar.ics").content
    lines = vevent_lines(body, str(first.uuid))

    assert set(icalendar_events(body)) == {str(first.uuid), str(_second.uuid)}
    assert prop(lines, "STATUS") == "CANCELLED"
    assert prop(lines, "SEQUENCE") == "1"
    assert prop(lines, "SUMMARY") == "Cancelled: First talk"
    assert str(vobject_events(body)[str(first.uuid)].status.value) == "CANCELLED"


def test_control_characters_are_stripped_from_every_text(client, small_event):
    event, first, _second = small_event
    # PostgreSQL refuses NUL in text, so it can only reach a file on SQLite.
    nul = "\x00" if connection.vendor != "postgresql" else "\x01"
    event.name = f"Small{nul} forum\x1b"
    event.save()
    first.title = "First\x07 talk\x7f\u0085"
    first.description = "Line one\r\nLine\x0b two\rLine three"
    first.save()

    body = client.get("/events/small/calendar.ics").content
    event_lines = vevent_lines(body, str(first.uuid))

    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body.replace(b"\r\n", b""))
    assert prop(event_lines, "SUMMARY") == "First talk"
    assert prop(event_lines, "DESCRIPTION").startswith("Line one\\nLine two\\nLine three\\n\\n")
    assert str(icalendar.Calendar.from_ical(body)["NAME"]) == "Small forum"


def test_long_multibyte_lines_fold_between_characters(db):
    event = make_event("long")
    day = make_day(event, 1, date(2022, 3, 9))
    title = "ゼロカーボン" * 30 + "Điện Biên " * 10
    session = make_session(day, datetime(2022, 3, 9, 9, 0), slug="long", title=title)

    body = build_calendar([session], name="長い" * 50, language="en")

    assert_bytes_well_formed(body)
    assert str(icalendar_events(body)[str(session.uuid)]["SUMMARY"]) == title.strip()
    assert vobject_events(body)[str(session.uuid)].summary.value == title.strip()


def test_vtimezone_across_a_dst_change_has_both_observances(db):
    event = make_event("dst")
    days = [make_day(event, n, date(2022, 3, 11 + n)) for n in (1, 2)]
    before = make_session(days[0], datetime(2022, 3, 12, 9, 0), slug="before")
    after = make_session(days[1], datetime(2022, 3, 13, 9, 0), slug="after")

    body = build_calendar([before, after], name="DST", language="en")

    assert vtimezone_blocks(body) == {
        "America/New_York": [
            "TZID:America/New_York",
            "BEGIN:STANDARD",
            "DTSTART:20220311T000000",
            "TZNAME:EST",
            "TZOFFSETFROM:-0500",
            "TZOFFSETTO:-0500",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:20220313T020000",  # RFC 5545: the onset on the clock before it
            "TZNAME:EDT",
            "TZOFFSETFROM:-0500",
            "TZOFFSETTO:-0400",
            "END:DAYLIGHT",
        ]
    }
    assert instants(body) == {
        str(before.uuid): (utc(2022, 3, 12, 14, 0), utc(2022, 3, 12, 14, 30)),
        str(after.uuid): (utc(2022, 3, 13, 13, 0), utc(2022, 3, 13, 13, 30)),
    }


@pytest.mark.parametrize("zone_name", [
    "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago",
    "Asia/Tokyo", "Asia/Ho_Chi_Minh",
])
def test_every_vtimezone_onset_is_a_real_transition(zone_name):
    zone = ZoneInfo(zone_name)
    component = vtimezone(zone_name, date(2022, 1, 1), date(2024, 12, 31))

    onsets = []
    for observance in component.subcomponents:
        offset_from, offset_to = observance.TZOFFSETFROM, observance.TZOFFSETTO
        moments = [observance.DTSTART] + [moment for moment, _ in observance.rdates]
        if offset_from == offset_to:
            assert moments == [datetime(2022, 1, 1)]
            continue
        for moment in moments:
            # RFC 5545: DTSTART is local time in TZOFFSETFROM.
            onset = (moment - offset_from).replace(tzinfo=UTC)
            assert (onset - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
            assert onset.astimezone(zone).utcoffset() == offset_to
            onsets.append(onset)
    expected = {
        "America/New_York": 6, "Europe/Berlin": 6, "Australia/Lord_Howe": 6,
        "America/Santiago": 6, "Asia/Tokyo": 0, "Asia/Ho_Chi_Minh": 0,
    }
    assert len(onsets) == expected[zone_name]


def test_sessions_of_events_in_different_zones_each_get_their_vtimezone(forum, db):
    hanoi = make_event(
        "hanoi", reference_timezone="Asia/Ho_Chi_Minh", display_timezones="Asia/Ho_Chi_Minh"
    )
    day = make_day(hanoi, 1, date(2024, 1, 12))
    workshop = make_session(day, datetime(2024, 1, 12, 8, 0), 90, slug="opening")
    sessions = with_speakers(Session.objects.filter(slug__in=["opening", "session-1"]))

    body = build_calendar(sessions, name="Mine", language="vi", feed=True)

    assert sorted(vtimezone_blocks(body)) == ["America/New_York", "Asia/Ho_Chi_Minh"]
    assert vtimezone_blocks(body)["Asia/Ho_Chi_Minh"] == [
        "TZID:Asia/Ho_Chi_Minh",
        "BEGIN:STANDARD",
        "DTSTART:20240111T000000",
        "TZNAME:+07",
        "TZOFFSETFROM:+0700",
        "TZOFFSETTO:+0700",
        "END:STANDARD",
    ]
    assert instants(body)[str(workshop.uuid)] == (utc(2024, 1, 12, 1, 0), utc(2024, 1, 12, 2, 30))
    assert_times_anchored(body)
    assert_bytes_well_formed(body)


def test_builder_runs_no_query_on_preloaded_sessions(forum, django_assert_num_queries):
    sessions = list(with_speakers(forum.sessions.all()))

    with django_assert_num_queries(0):
        build_calendar(sessions, name="Forum", language="ja", feed=True)


@pytest.mark.parametrize(("text", "multiline", "expected"), [
    ("a\x00b\x1fc\x7fd\x9fe", False, "abcde"),
    ("one\ntwo\r\nthree", False, "one two three"),
    ("one\ntwo\r\nthree\rfour", True, "one\ntwo\nthree\nfour"),
    ("  spaced\t\tout  ", False, "spaced out"),
    ("para\n\n\n\nnext\n", True, "para\n\nnext"),
    (None, False, ""),
])
def test_clean_text(text, multiline, expected):
    assert clean_text(text, multiline=multiline) == expected


def test_dtstamp_is_utc_even_when_the_database_time_is_not(small_event):
    _event, first, _second = small_event
    first.updated_at = timezone.make_aware(datetime(2022, 3, 1, 9, 0), ZoneInfo("Asia/Tokyo"))

    body = build_calendar([first], name="x", language="en")

    assert prop(vevent_lines(body, str(first.uuid)), "DTSTAMP") == "20220301T000000Z"
