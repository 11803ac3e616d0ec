"""Organiser dashboard: figures, charts, tables, CSV, access, fixed query count."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda.models import Event, Session
from registration import charts, dashboard, services
from registration.models import Registration, SessionChoice
from tests.registration_support import sign_up

SVG = "{http://www.w3.org/2000/svg}"
NEW_YORK = ZoneInfo("America/New_York")


def url(event):
    return f"/admin/registration/registration/dashboard/{event.pk}/"


def csv_url(event, table):
    return f"/admin/registration/registration/dashboard/{event.pk}/{table}.csv"


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def people(forum, capture):
    """Forum registrants in every state, with their steps spread over known days.

    Capacity 3 and one seat in parallel session 1. Confirmed: hanako (JP),
    an (VN), eq (US, waited two days); waiting: late (FR); pending: p;
    cancelled: gb; erased: de.
    """
    forum.capacity = 3
    forum.save()
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(capture, forum, email="hanako@example.jp", full_name="山田 花子", language="ja")
    sign_up(capture, forum, email="an@example.vn", full_name="Nguyễn Văn An", country="VN",
            sector="research", language="vi", channel="en")
    sign_up(capture, forum, email="eq@example.org", full_name="=HYPERLINK(\"http://x\")",
            country="US", sector="business",
            choices=("parallel-session-2", "parallel-session-4"))
    gb = sign_up(capture, forum, email="gb@example.org", country="GB")
    services.cancel(gb, notify=False)
    sign_up(capture, forum, email="late@example.org", full_name="Late Comer", country="FR")
    sign_up(capture, forum, email="p@example.org", country="IT", confirm=False)
    de = sign_up(capture, forum, email="de@example.org", country="DE", sector="media")
    services.erase(de, promote=False)

    # Each step on a known day. New York days: 04:00 UTC on 1 February is
    # still 31 January there.
    steps = {
        "hanako@example.jp": (at(2022, 2, 1, 15), at(2022, 2, 1, 15), None),
        "an@example.vn": (at(2022, 2, 1, 4), at(2022, 2, 1, 4), None),
        "eq@example.org": (at(2022, 2, 3, 12), at(2022, 2, 5, 12), None),
        "gb@example.org": (at(2022, 2, 2, 12), None, at(2022, 2, 4, 12)),
        "late@example.org": (at(2022, 2, 3, 13), None, None),
        "": (at(2022, 2, 2, 13), None, at(2022, 2, 2, 20)),  # erased: no address left
    }
    for email, (requested, confirmed, cancelled) in steps.items():
        Registration.objects.filter(event=forum, email=email).update(
            seat_requested_at=requested, confirmed_at=confirmed, cancelled_at=cancelled
        )
    return {r.email: r for r in Registration.objects.filter(event=forum)}


@pytest.fixture
def organiser(db):
    """A staff member with only the view permission on registrations."""
    user = get_user_model().objects.create_user("viewer", "v@example.org", "pw-Forum-2022",
                                                is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_registration"))
    return user


# Figures ----------------------------------------------------------------------


def test_totals_match_the_registrations(people, forum):
    counts = dashboard.totals(forum)
    statuses = Counter(Registration.objects.filter(event=forum).values_list("status", flat=True))
    assert (counts.pending, counts.confirmed, counts.waitlisted, counts.cancelled) == (
        statuses["pending"], statuses["confirmed"], statuses["waitlisted"],
        statuses["cancelled"],
    ) == (1, 3, 1, 2)
    assert counts.erased == 1
    assert counts.total == 7
    assert counts.capacity == 3


def _day(moment):
    return moment.astimezone(NEW_YORK).date()


def test_timeline_follows_the_documented_definitions(people, forum):
    expected = {}
    for r in Registration.objects.filter(event=forum):
        if r.confirmed_at:
            expected.setdefault(_day(r.confirmed_at), Counter())["confirmed"] += 1
        if r.seat_requested_at and (
            r.confirmed_at is None or _day(r.confirmed_at) > _day(r.seat_requested_at)
        ):
            expected.setdefault(_day(r.seat_requested_at), Counter())["waitlisted"] += 1
        if r.cancelled_at:
            expected.setdefault(_day(r.cancelled_at), Counter())["cancelled"] += 1

    days = dashboard.timeline(forum)
    as_tuples = [(d.day.isoformat(), d.confirmed, d.waitlisted, d.cancelled) for d in days]
    assert as_tuples == [
        ("2022-01-31", 1, 0, 0),  # an, confirmed at 23:00 New York time
        ("2022-02-01", 1, 0, 0),  # hanako
        ("2022-02-02", 0, 2, 1),  # gb and de left waiting; de erased (cancelled) that day
        ("2022-02-03", 0, 2, 0),  # eq (seated two days later) and late
        ("2022-02-04", 0, 0, 1),  # gb cancelled
        ("2022-02-05", 1, 0, 0),  # eq given a seat
    ]
    for d in days:
        counts = expected.get(d.day, Counter())
        assert (d.confirmed, d.waitlisted, d.cancelled) == (
            counts["confirmed"], counts["waitlisted"], counts["cancelled"]
        )


def test_session_fill_counts_seats_and_people_waiting(people, forum):
    fills = dashboard.session_fill(forum)
    choices = SessionChoice.objects.filter(session__event=forum).select_related(
        "session", "registration"
    )
    taken = Counter(c.session.title for c in choices if c.status == "confirmed")
    waiting = Counter(
        c.session.title for c in choices
        if c.status == "waitlisted" and c.registration.status == "confirmed"
    )
    parallel = Session.objects.filter(event=forum, kind="parallel").order_by("start", "track")
    assert [(f.label, f.taken, f.waiting, f.capacity) for f in fills] == [
        (s.title, taken[s.title], waiting[s.title], s.capacity) for s in parallel
    ]
    assert [(f.taken, f.waiting, f.capacity, f.free) for f in fills] == [
        (1, 1, 1, 0), (1, 0, None, None), (2, 0, None, None), (1, 0, None, None),
    ]
    whole = dashboard.event_fill(forum, dashboard.totals(forum))
    assert (whole.taken, whole.waiting, whole.capacity, whole.free) == (3, 1, 3, 0)


def test_breakdowns_count_confirmed_and_waiting_registrants(people, forum):
    groups = dashboard.breakdowns(forum)
    coming = Registration.objects.filter(event=forum, status__in=["confirmed", "waitlisted"])

    def expected(field):
        result = {}
        for r in coming:
            key = str(getattr(r, field) or "")
            result.setdefault(key, Counter())[r.status] += 1
        return {key: (c["confirmed"], c["waitlisted"]) for key, c in result.items()}

    def got(items):
        return {g.key: (g.confirmed, g.waitlisted) for g in items}

    assert got(groups.countries) == expected("country") == {
        "JP": (1, 0), "VN": (1, 0), "US": (1, 0), "FR": (0, 1),
    }
    assert got(groups.sectors) == expected("sector") == {
        "local_government": (1, 1), "research": (1, 0), "business": (1, 0),
    }
    assert got(groups.languages) == expected("language") == {
        "ja": (1, 0), "vi": (1, 0), "en": (1, 1),
    }
    assert got(groups.channels) == expected("channel") == {"ja": (2, 1), "en": (1, 0)}
    # Largest first, then by label; labels are names, not codes.
    assert [(g.label, g.total) for g in groups.sectors] == [
        ("Local government", 2), ("Business", 1), ("Research or academia", 1),
    ]
    assert [g.label for g in groups.countries] == [
        "France", "Japan", "United States of America", "Vietnam",
    ]


def test_erased_registration_counts_anonymously(people, forum):
    erased = Registration.objects.get(event=forum, erased_at__isnull=False)
    assert (erased.full_name, erased.email, erased.status) == ("", "", "cancelled")
    assert dashboard.totals(forum).erased == 1
    # In the timeline (waiting, then cancelled on 2 February)…
    [feb2] = [d for d in dashboard.timeline(forum) if d.day.isoformat() == "2022-02-02"]
    assert feb2.cancelled == 1
    # …but not among the people coming: erasing cancels.
    assert "DE" not in {g.key for g in dashboard.breakdowns(forum).countries}


def test_empty_event_has_no_figures_and_no_division_by_zero(dien_bien):
    assert dashboard.timeline(dien_bien) == []
    counts = dashboard.totals(dien_bien)
    assert (counts.total, counts.erased, counts.capacity) == (0, 0, None)
    groups = dashboard.breakdowns(dien_bien)
    assert (groups.countries, groups.sectors, groups.languages, groups.channels) == (
        [], [], [], None
    )
    sections = dashboard.sections(dien_bien)
    assert [s.table.key for s in sections] == [
        "totals", "timeline", "seats", "countries", "sectors", "languages",
    ]
    assert [s.chart == "" for s in sections] == [True, True, False, True, True, True]
    seats = sections[2].table
    assert seats.rows == [["Whole event", 0, 0, "no limit", ""]]


# The page -------------------------------------------------------------------


def svgs(html):
    """Every inline SVG of the page, parsed as XML (fails if one is not well-formed)."""
    return [
        ET.fromstring(match)
        for match in re.findall(r'<svg [^>]*class="dashboard-chart".*?</svg>', html, re.S)
    ]


def test_page_has_accessible_well_formed_charts(admin_client, people, forum):
    response = admin_client.get(url(forum))
    assert response.status_code == 200
    html = response.content.decode()
    charts_ = svgs(html)
    assert [svg.get("aria-labelledby") for svg in charts_] == [
        f"chart-{key}-title chart-{key}-desc"
        for key in ("timeline", "seats", "countries", "sectors", "languages", "channels")
    ]
    for svg in charts_:
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id
        assert svg.find(f"{SVG}desc").get("id") == desc_id
        # Nothing that the CSP (style-src 'self', no inline script) would refuse.
        assert svg.find(f".//{SVG}script") is None
        assert not any("style" in element.attrib for element in svg.iter())
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # only the admin's own files

    seats = charts_[1]
    assert seats.find(f"{SVG}title").text == "Seats per session"
    rows = seats.findall(f"{SVG}g")[1:]  # after the legend
    assert [row.find(f"{SVG}title").text for row in rows][:2] == [
        "Whole event: 3 of 3 taken · 1 waiting",
        "Parallel session 1: City-to-city collaboration: accelerating the decarbonisation "
        "domino: 1 of 1 taken · 1 waiting",
    ]
    # Long titles are cut in the drawing, kept whole in the row's title.
    assert rows[1].find(f"{SVG}text").text.endswith("…")
    # The capacity marker of a full session sits at the end of its taken bar.
    taken_bar = rows[1].find(f"{SVG}rect")
    marker = rows[1].find(f"{SVG}line")
    assert float(taken_bar.get("x")) + float(taken_bar.get("width")) == pytest.approx(
        float(marker.get("x1")), abs=0.2
    )


def test_tables_give_the_same_numbers(admin_client, people, forum):
    html = admin_client.get(url(forum)).content.decode()
    for row in [
        '<tr><th scope="row">Awaiting email confirmation</th><td>1</td></tr>',
        '<tr><th scope="row">Confirmed</th><td>3</td></tr>',
        '<tr><th scope="row">of which personal data erased</th><td>1</td></tr>',
        '<tr><th scope="row">2022-02-02</th><td>0</td><td>2</td><td>1</td></tr>',
        '<tr><th scope="row">Whole event</th><td>3</td><td>1</td><td>3</td><td>0</td></tr>',
        '<tr><th scope="row">France</th><td>0</td><td>1</td><td>1</td></tr>',
        '<tr><th scope="row">Local government</th><td>1</td><td>1</td><td>2</td></tr>',
        '<tr><th scope="row">Japanese</th><td>2</td><td>1</td><td>3</td></tr>',
    ]:
        assert row in html
    assert html.split('id="content-main"')[1].count("<table>") == 7
    assert "Registrants by listening channel" in html


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_downloads_each_table(admin_client, people, forum):
    Session.objects.filter(event=forum, slug="parallel-session-2").update(
        title_en="=SUM(A1:A9)"
    )
    response = admin_client.get(csv_url(forum, "timeline"))
    assert response["Content-Disposition"] == 'attachment; filename="zccf-2022-timeline.csv"'
    assert read_csv(response) == [
        ["Day", "Confirmed", "Waitlisted", "Cancelled"],
        ["2022-01-31", "1", "0", "0"],
        ["2022-02-01", "1", "0", "0"],
        ["2022-02-02", "0", "2", "1"],
        ["2022-02-03", "0", "2", "0"],
        ["2022-02-04", "0", "0", "1"],
        ["2022-02-05", "1", "0", "0"],
    ]
    timeline = admin_client.get(csv_url(forum, "timeline"))
    assert b"".join(timeline.streaming_content).count(b"\r\n") == 7
    assert read_csv(admin_client.get(csv_url(forum, "totals"))) == [
        ["Status", "Registrations"],
        ["Awaiting email confirmation", "1"],
        ["Confirmed", "3"],
        ["On the waiting list", "1"],
        ["Cancelled", "2"],
        ["Total", "7"],
        ["of which personal data erased", "1"],
        ["Event capacity", "3"],
    ]
    seats = read_csv(admin_client.get(csv_url(forum, "seats")))
    assert seats[:3] == [
        ["Session", "Seats taken", "Waiting", "Capacity", "Free"],
        ["Whole event", "3", "1", "3", "0"],
        ["Parallel session 1: City-to-city collaboration: accelerating the decarbonisation "
         "domino", "1", "1", "1", "0"],
    ]
    # A title a spreadsheet would run as a formula is neutralised.
    assert seats[3] == ["'=SUM(A1:A9)", "1", "0", "no limit", ""]
    assert read_csv(admin_client.get(csv_url(forum, "countries"))) == [
        ["Country", "Confirmed", "Waitlisted", "Total"],
        ["France", "0", "1", "1"],
        ["Japan", "1", "0", "1"],
        ["United States of America", "1", "0", "1"],
        ["Vietnam", "1", "0", "1"],
    ]
    assert read_csv(admin_client.get(csv_url(forum, "channels"))) == [
        ["Listening channel", "Confirmed", "Waitlisted", "Total"],
        ["Japanese", "2", "1", "3"],
        ["English", "1", "0", "1"],
    ]
    assert admin_client.get(csv_url(forum, "nope")).status_code == 404


def test_empty_event_page(admin_client, dien_bien):
    response = admin_client.get(url(dien_bien))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Nothing to count yet.") == 4  # timeline, country, sector, language
    assert "listening channel" not in html  # no interpretation at this event
    assert len(svgs(html)) == 1  # the seats chart: the whole event, 0 taken
    assert read_csv(admin_client.get(csv_url(dien_bien, "timeline"))) == [
        ["Day", "Confirmed", "Waitlisted", "Cancelled"],
    ]
    assert admin_client.get(csv_url(dien_bien, "channels")).status_code == 404
    assert admin_client.get("/admin/registration/registration/dashboard/999999/").status_code \
        == 404


# Access -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, forum):
    for address in (url(forum), csv_url(forum, "totals")):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={address}"


def test_non_staff_users_are_sent_to_the_login_page(client, forum):
    user = get_user_model().objects.create_user("someone", "s@example.org", "pw-Forum-2022")
    user.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(user)
    response = client.get(url(forum))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_registration_view_permission_are_refused(client, forum):
    user = get_user_model().objects.create_user("editor", "e@example.org", "pw-Forum-2022",
                                                is_staff=True)
    user.user_permissions.add(Permission.objects.get(
        content_type__app_label="agenda", codename="change_session"
    ))
    client.force_login(user)
    assert client.get(url(forum)).status_code == 403
    assert client.get(csv_url(forum, "totals")).status_code == 403
    assert client.get("/admin/registration/registration/seats/").status_code == 403
    # …and they are not offered the link.
    assert "Dashboard" not in client.get("/admin/agenda/event/").content.decode()


def test_view_permission_is_enough(client, organiser, forum):
    client.force_login(organiser)
    assert client.get(url(forum)).status_code == 200
    assert client.get(csv_url(forum, "seats")).status_code == 200


def test_event_list_and_change_page_link_to_the_dashboard(admin_client, forum):
    link = f'href="{url(forum)}"'
    assert link in admin_client.get("/admin/agenda/event/").content.decode()
    assert link in admin_client.get(f"/admin/agenda/event/{forum.pk}/change/").content.decode()
    assert link in admin_client.get(
        "/admin/registration/registration/seats/"
    ).content.decode()


# Scale, languages -------------------------------------------------------------


def test_figures_take_six_queries_whatever_the_size(people, forum, capture,
                                                      django_assert_num_queries):
    with django_assert_num_queries(6):
        dashboard.sections(forum)
    for n in range(15):
        sign_up(capture, forum, email=f"more{n}@example.org", country="KR")
    with django_assert_num_queries(6):
        dashboard.sections(forum)


def test_page_query_count_does_not_grow_with_registrations(admin_client, people, forum,
                                                           dien_bien, capture):
    admin_client.get(url(forum))  # session and user loaded once

    def queries(event):
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(url(event)).status_code == 200
        return len(context.captured_queries)

    few = queries(dien_bien)
    for n in range(12):
        sign_up(capture, dien_bien, email=f"more{n}@example.org", country="VN", choices=())
    assert queries(dien_bien) == few
    assert queries(forum) == few


def test_a_thousand_sessions_keep_the_chart_readable(admin_client, db):
    call_command("generate_programme", "--sessions", "1000", stdout=io.StringIO())
    event = Event.objects.get(slug="synthetic-1000")
    sessions = dashboard.sections(event)[2]
    assert len(sessions.table.rows) == 1001  # the whole event and every session
    assert sessions.note == (
        "The chart shows the 39 busiest of 1000 sessions (most people waiting, then fullest); "
        "the table lists them all."
    )
    [svg] = [s for s in svgs(admin_client.get(url(event)).content.decode())
             if s.get("aria-labelledby").startswith("chart-seats")]
    rows = svg.findall(f"{SVG}g")[1:]
    assert len(rows) == dashboard.MAX_BARS
    assert int(svg.get("height")) == 30 + 40 * 24 + 6


def test_busiest_sessions_are_charted_first(db):
    fills = [dashboard.Fill("event", None, 0, 0)] + [
        dashboard.Fill(f"s{n}", 10, n % 7, 0) for n in range(60)
    ]
    fills[30].waiting = 5
    shown, _note = dashboard._busiest(fills)
    labels = [f.label for f in shown]
    assert labels[0] == "event"
    assert len(labels) == 40
    assert "s29" in labels  # waiting people first (fills[30] is session s29)
    left_out = [f for f in fills if f not in shown]
    assert min(f.taken for f in shown[1:] if f.label != "s29") >= max(
        f.taken for f in left_out
    )
    # Drawn in programme order.
    assert labels[1:] == sorted(labels[1:], key=lambda label: int(label[1:]))


def test_long_labels_are_cut_to_fit():
    assert charts.fit("Japan") == "Japan"
    cut = charts.fit("South Georgia and the South Sandwich Islands")
    assert cut == "South Georgia and the South San…"
    # Wide characters count double.
    assert charts.fit("脱" * 40) == "脱" * 15 + "…"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", ["日本", "地方自治体", "確定"]), ("vi", ["Nhật Bản"])],
)
def test_dashboard_in_the_admins_language(admin_client, people, forum, language, expected):
    response = admin_client.get(url(forum), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    for text in expected:
        assert text in html
    for svg in svgs(html):
        # Coordinates are never written with a decimal comma (Vietnamese formats).
        for element in svg.iter():
            for attribute in ("x", "y", "width", "height", "x1", "x2", "y1", "y2"):
                if attribute in element.attrib:
                    float(element.get(attribute))


def test_a_long_period_stays_one_chart_wide():
    days = [f"2022-{month:02}-{day:02}" for month in (1, 2, 3, 4) for day in range(1, 26)]
    values = [[n % 5 for n in range(100)], [n % 3 for n in range(100)], [0] * 100]
    svg = ET.fromstring(charts.line_chart(
        "chart-x", "Registrations over time", "Per day", charts.series(["A", "B", "C"]),
        days, values,
    ))
    assert svg.get("viewBox") == "0 0 720 260"
    lines = svg.findall(f".//{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [100, 100, 100]
    assert svg.findall(f".//{SVG}circle") == []  # too many days for dots
    xs = [float(point.split(",")[0]) for point in lines[0].get("points").split()]
    assert (xs[0], xs[-1]) == (50, 700)
    # Grid lines at 0, the middle and the top; dates under the first, middle and last day.
    assert [t.text for t in svg.findall(f"{SVG}text")] == [
        "0", "2", "4", "2022-01-01", "2022-03-01", "2022-04-25",
    ]
