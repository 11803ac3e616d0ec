"""agenda/timezones.py: labels and offsets computed for each instant."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import RequestFactory

from agenda import timezones


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "zone", "clock", "label", "offset"),
    [
        # The forum's Day 1 opening.
        (utc(2022, 3, 10, 1, 0), "America/New_York", "20:00", "EST", "UTC−5"),
        (utc(2022, 3, 10, 1, 0), "Asia/Tokyo", "10:00", "JST", "UTC+9"),
        # The US switch on 13 March 2022 at 02:00 local.
        (utc(2022, 3, 13, 6, 59), "America/New_York", "01:59", "EST", "UTC−5"),
        (utc(2022, 3, 13, 7, 0), "America/New_York", "03:00", "EDT", "UTC−4"),
        # The EU switch on 27 March 2022 at 01:00 UTC.
        (utc(2022, 3, 27, 0, 59), "Europe/Paris", "01:59", "CET", "UTC+1"),
        (utc(2022, 3, 27, 1, 0), "Europe/Paris", "03:00", "CEST", "UTC+2"),
        # Zones without letters in the tz database get a readable offset.
        (utc(2024, 1, 12, 1, 0), "Asia/Ho_Chi_Minh", "08:00", "UTC+7", "UTC+7"),
        (utc(2022, 3, 10, 1, 0), "Asia/Kolkata", "06:30", "IST", "UTC+5:30"),
        (utc(2022, 3, 10, 1, 0), "Asia/Kathmandu", "06:45", "UTC+5:45", "UTC+5:45"),
    ],
)
def test_localise_uses_the_zone_at_that_instant(instant, zone, clock, label, offset):
    local = timezones.localise(instant, zone)
    assert (local.clock, local.abbreviation, local.offset) == (clock, label, offset)


def test_day_shift_against_the_programme_day():
    opening = utc(2022, 3, 10, 1, 0)  # 20:00 on 9 March in New York
    assert timezones.localise(opening, "America/New_York", date(2022, 3, 9)).day_shift == 0
    tokyo = timezones.localise(opening, "Asia/Tokyo", date(2022, 3, 9))
    assert tokyo.day_shift == 1
    assert tokyo.day_shift_label == "+1 day"
    honolulu = timezones.localise(utc(2022, 3, 10, 12, 0), "Pacific/Honolulu", date(2022, 3, 10))
    assert (honolulu.clock, honolulu.day_shift, honolulu.day_shift_label) == ("02:00", 0, "")
    samoa = timezones.localise(utc(2022, 3, 10, 9, 0), "Pacific/Pago_Pago", date(2022, 3, 10))
    assert (samoa.day_shift, samoa.day_shift_label) == (-1, "−1 day")


def test_day_shift_labels_agree_in_number():
    opening = utc(2022, 3, 10, 1, 0)
    two_ahead = timezones.localise(opening, "Asia/Tokyo", date(2022, 3, 8))
    two_behind = timezones.localise(opening, "America/New_York", date(2022, 3, 11))
    assert (two_ahead.day_shift_label, two_behind.day_shift_label) == ("+2 days", "−2 days")


def test_day_bounds_follow_the_switch_day_length():
    start, end = timezones.day_bounds(date(2022, 3, 13), timezones.get_zone("America/New_York"))
    assert start.astimezone(UTC) == utc(2022, 3, 13, 5, 0)
    assert end - start == timedelta(hours=24)  # wall-clock arithmetic
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)


@pytest.mark.parametrize(
    "name",
    ["", "Mars/Olympus", "america/new_york", "../../etc/passwd", "Asia/Tokyo\x00", "A" * 10_000,
     None, 42, "UTC; DROP TABLE agenda_event", "Europe/Paris "],
)
def test_garbage_zone_names_are_rejected(name):
    assert timezones.is_valid_zone(name) is False


def test_parse_zone_list_keeps_order_and_drops_repeats():
    assert timezones.parse_zone_list(" America/New_York, Asia/Tokyo,,America/New_York ") == [
        "America/New_York",
        "Asia/Tokyo",
    ]


def test_picker_choices_are_the_event_zones_then_the_viewers_own():
    event_zones = ["America/New_York", "Asia/Tokyo"]
    assert timezones.picker_choices(event_zones) == timezones.ZoneChoices(
        event=[("America/New_York", "New York"), ("Asia/Tokyo", "Tokyo")])
    assert timezones.picker_choices(event_zones, "Europe/Paris").viewer == ("Europe/Paris", "Paris")
    assert timezones.picker_choices(event_zones, "Asia/Tokyo").viewer is None  # listed already
    assert timezones.picker_choices(["Mars/Base", "Asia/Tokyo"], "Nowhere/Land") == \
        timezones.ZoneChoices(event=[("Asia/Tokyo", "Tokyo")])
    assert timezones.picker_choices(event_zones).more == timezones.MORE_ZONES == "more"
    assert not timezones.is_valid_zone(timezones.MORE_ZONES)


def test_picker_regions_sorted_by_name_with_utc_and_gmt_last():
    regions = timezones.picker_regions()
    names = [region.name for region in regions]
    assert names[:-1] == sorted(names[:-1]) and names[-1] == "UTC and GMT"
    europe = timezones.picker_region("europe")
    cities = [city for _zone, city in europe.cities]
    assert cities == sorted(cities)  # by city, as read
    assert ("Europe/Paris", "Paris") in europe.cities
    all_values = [zone for region in regions for zone, _city in region.cities]
    assert len(all_values) == len(set(all_values))
    assert timezones.picker_region("utc").cities == (("GMT", "GMT"), ("UTC", "UTC"))
    assert timezones.picker_region("Europe") is None
    assert timezones.picker_region("mars") is None


@pytest.mark.parametrize(
    ("query", "cookie", "expected"),
    [
        ({"tz": "Europe/Paris"}, None, timezones.ViewerZone("Europe/Paris")),
        ({}, "Asia/Tokyo", timezones.ViewerZone("Asia/Tokyo")),
        ({"tz": "Europe/Paris"}, "Asia/Tokyo", timezones.ViewerZone("Europe/Paris")),
        ({"tz": ""}, "Asia/Tokyo", timezones.ViewerZone(None)),
        ({"tz": "Nowhere/Land"}, None, timezones.ViewerZone(None, rejected="Nowhere/Land")),
        ({}, "bad\x00zone", timezones.ViewerZone(None, rejected="bad\x00zone")),
        ({}, None, timezones.ViewerZone(None)),
    ],
)
def test_viewer_zone_from_request(query, cookie, expected):
    request = RequestFactory().get("/en/", query)
    if cookie is not None:
        request.COOKIES[timezones.VIEWER_ZONE_COOKIE] = cookie
    assert timezones.viewer_zone_from_request(request) == expected


def test_zone_heading_uses_the_city_and_abbreviation():
    assert timezones.zone_heading("America/New_York", utc(2022, 3, 10, 1)) == "New York (EST)"
    assert timezones.zone_heading("America/New_York", utc(2022, 3, 20, 1)) == "New York (EDT)"
    assert timezones.zone_heading("Asia/Tokyo", utc(2022, 3, 10, 1)) == "Tokyo (JST)"


def test_city_and_abbreviation_at_an_instant():
    assert timezones.city_and_abbreviation("Europe/Paris", utc(2022, 3, 10, 1)) == "Paris (CET)"
    assert timezones.city_and_abbreviation("Europe/Paris", utc(2022, 7, 1)) == "Paris (CEST)"
    assert timezones.city_and_abbreviation("Asia/Ho_Chi_Minh", utc(2024, 1, 12)) == (
        "Ho Chi Minh City (UTC+7)")
    assert timezones.city_and_abbreviation("UTC", utc(2022, 3, 10, 1)) == "UTC"
