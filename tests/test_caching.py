"""The shared page cache (forum_site/pagecache, agenda/signals.py): hits, keys, invalidation."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from agenda.models import (
    Day,
    Event,
    EventOrganisation,
    Organisation,
    Session,
    SessionSpeaker,
    Speaker,
)
from forum_site.pagecache import bump_events, generations, policy
from forum_site.pagecache.middleware import PageCacheMiddleware
from forum_site.pagecache.policy import STATUS_HEADER

pytestmark = pytest.mark.django_db

AGENDA = "/en/events/zccf-2022/agenda/"
DIEN_BIEN_AGENDA = "/en/events/dien-bien-2024/agenda/"
EVENT_PAGES = [
    "/en/events/zccf-2022/",
    AGENDA,
    "/en/events/zccf-2022/sessions/session-1/",
    "/en/events/zccf-2022/speakers/",
    "/en/events/zccf-2022/speakers/yamaguchi-tsuyoshi/",
]
FEEDS = [
    "/events/zccf-2022/calendar.ics",
    "/events/zccf-2022/days/1.ics",
    "/events/zccf-2022/sessions/session-1.ics",
    "/events/zccf-2022/schedule.json",
]


def status(response):
    return response.get(STATUS_HEADER)


def prime(client, path, **extra):
    """Request ``path`` until it is served from the cache; return the hit."""
    client.get(path, **extra)
    hit = client.get(path, **extra)
    assert status(hit) == "hit", path
    return hit


@pytest.mark.parametrize("path", ["/en/", *EVENT_PAGES, *FEEDS])
def test_the_second_anonymous_request_is_served_from_the_cache_unchanged(client, forum, path):
    first = client.get(path)
    assert (first.status_code, status(first)) == (200, "miss")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path)
    assert (second.status_code, status(second)) == (200, "hit")
    assert len(queries) == 0
    assert second.content == first.content
    for header in ("Content-Type", "Content-Language", "ETag", "Last-Modified", "Cache-Control"):
        assert second[header] == first[header], header


def test_cached_pages_carry_validators_and_cache_control(client, forum):
    response = client.get(AGENDA)
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert response["Cache-Control"] == "public, max-age=0"
    assert response["Vary"] == "Cookie, Accept-Encoding"
    assert response["Last-Modified"].endswith(" GMT")


def test_browser_max_age_is_configurable(client, forum, settings):
    settings.PAGE_CACHE_BROWSER_MAX_AGE = 120
    assert client.get(AGENDA)["Cache-Control"] == "public, max-age=120"


@pytest.mark.parametrize("served_from", ["miss", "hit"])
def test_conditional_requests_get_304(client, forum, served_from):
    first = client.get(AGENDA)
    if served_from == "hit":
        cache_state = client.get(AGENDA)
        assert status(cache_state) == "hit"
    else:
        cache.clear()
    by_etag = client.get(AGENDA, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_etag["ETag"] == first["ETag"]
    # A wiped cache starts a new generation, dated now: the page's Last-Modified
    # may move on by a second, so the date asked about is the one just served.
    by_date = client.get(AGENDA, HTTP_IF_MODIFIED_SINCE=by_etag["Last-Modified"])
    assert by_date.status_code == 304
    other = client.get(AGENDA, HTTP_IF_NONE_MATCH='"something-else"')
    assert (other.status_code, other.content) == (200, first.content)


def test_a_conditional_first_request_still_fills_the_cache_with_the_full_page(client, forum):
    etag = client.get(AGENDA)["ETag"]
    cache.clear()
    assert client.get(AGENDA, HTTP_IF_NONE_MATCH=etag).status_code == 304
    full = client.get(AGENDA)
    assert (full.status_code, status(full)) == (200, "hit")
    assert full["ETag"] == etag


def test_feeds_keep_their_own_etag_and_answer_304_from_the_cache(client, forum):
    first = client.get("/events/zccf-2022/calendar.ics")
    assert status(first) == "miss"
    hit = client.get("/events/zccf-2022/calendar.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (hit.status_code, status(hit)) == (304, "hit")
    assert first["Cache-Control"] == "public, max-age=300"  # the feeds' own choice, kept


def test_languages_are_cached_apart(client, forum):
    prime(client, AGENDA)
    ja = client.get("/ja/events/zccf-2022/agenda/")
    assert status(ja) == "miss"
    assert '<html lang="ja">' in ja.content.decode()


def test_feeds_are_cached_apart_per_requested_language(client, forum):
    english = prime(client, "/events/zccf-2022/schedule.json")
    by_header = client.get("/events/zccf-2022/schedule.json", HTTP_ACCEPT_LANGUAGE="ja")
    by_param = client.get("/events/zccf-2022/schedule.json?lang=ja")
    assert (status(by_header), status(by_param)) == ("miss", "miss")
    assert by_header["Content-Language"] == by_param["Content-Language"] == "ja"
    assert english["Content-Language"] == "en"
    again = client.get("/events/zccf-2022/schedule.json", HTTP_ACCEPT_LANGUAGE="ja")
    assert (status(again), again.content) == ("hit", by_header.content)


def test_the_viewer_zone_is_part_of_the_key_and_its_cookie_is_replayed(client, forum):
    prime(client, AGENDA)
    paris = client.get(AGENDA, {"tz": "Europe/Paris"})
    assert status(paris) == "miss"
    assert len(paris.context["days"][0].times) == 3
    assert paris.cookies["tz"].value == "Europe/Paris"

    other = client.__class__()
    replayed = other.get(AGENDA, {"tz": "Europe/Paris"})
    assert status(replayed) == "hit"
    assert replayed.content == paris.content
    assert replayed.cookies["tz"].value == "Europe/Paris"
    assert replayed.cookies["tz"]["httponly"] is True

    # The remembered zone (cookie, no ?tz) is another entry, showing Paris too.
    remembered = other.get(AGENDA)
    assert status(remembered) == "miss"
    assert "Paris" in remembered.content.decode()
    assert client.__class__().get(AGENDA).content != remembered.content


def test_unknown_query_parameters_skip_the_cache(client, forum):
    for _ in range(2):
        response = client.get(AGENDA, {"utm_source": "x"})
        assert (response.status_code, status(response)) == (200, "bypass")
    assert status(client.get(AGENDA)) == "miss"  # nothing was stored for the address


@pytest.mark.parametrize(("path", "query", "cookie"), [
    (AGENDA, "tz=Mars/Olympus", ""),
    (AGENDA, "tz=Europe/Paris&tz=Asia/Tokyo", ""),
    (AGENDA, "", "Not/AZone"),
    ("/events/zccf-2022/schedule.json", "lang=xx", ""),
])
def test_made_up_zones_and_languages_are_answered_fresh_never_stored(client, forum, path,
                                                                     query, cookie):
    if cookie:
        client.cookies["tz"] = cookie
    for _ in range(2):
        response = client.get(f"{path}?{query}" if query else path)
        assert (response.status_code, status(response)) == (200, "bypass")


def test_signed_in_staff_see_fresh_pages_that_no_shared_cache_keeps(client, forum,
                                                                    django_user_model):
    prime(client, AGENDA)
    staff = django_user_model.objects.create_user("organiser", is_staff=True)
    client.force_login(staff)
    response = client.get(AGENDA)
    assert (response.status_code, status(response)) == (200, "bypass")
    assert response.templates[0].name == "agenda/agenda.html"  # rendered afresh
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_registration_pages_are_never_stored(client, forum):
    for path in ["/en/events/zccf-2022/register/", "/en/events/zccf-2022/privacy/"]:
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200
            assert STATUS_HEADER not in response


def test_a_response_with_a_csrf_token_or_a_personal_cookie_is_not_stored(rf, forum):
    calls = []

    def view(request):
        calls.append(request)
        request.META["CSRF_COOKIE_USED"] = True
        return HttpResponse("form")

    middleware = PageCacheMiddleware(view)
    for _ in range(2):
        assert middleware(rf.get(AGENDA))["X-Page-Cache"] == "miss"
    assert len(calls) == 2

    def with_cookie(request):
        calls.append(request)
        response = HttpResponse("hello")
        response.set_cookie("sessionid", "abc")
        return response

    middleware = PageCacheMiddleware(with_cookie)
    for _ in range(2):
        middleware(rf.get(AGENDA))
    assert len(calls) == 4


@pytest.mark.parametrize("code", [404, 500, 503])
def test_errors_are_not_stored(rf, code):
    middleware = PageCacheMiddleware(lambda request: HttpResponse(status=code))
    for _ in range(2):
        assert middleware(rf.get(AGENDA))["X-Page-Cache"] == "miss"


def test_the_cache_can_be_switched_off(client, forum, settings):
    settings.PAGE_CACHE_ENABLED = False
    for _ in range(2):
        response = client.get(AGENDA)
        assert response.status_code == 200
        assert STATUS_HEADER not in response


def test_a_lost_generation_makes_entries_miss_never_serve_stale(client, forum):
    prime(client, AGENDA)
    cache.delete(generations.generation_key(generations.event_scope("zccf-2022")))
    assert status(client.get(AGENDA)) == "miss"


# Invalidation: every edit an organiser can save ------------------------------------

def _edit_session(forum):
    session = Session.objects.get(event=forum, slug="session-1")
    session.title_en = "Edited session title"
    session.save()
    return "Edited session title"


def _move_session(forum):
    session = Session.objects.get(event=forum, slug="session-1")
    session.start += timedelta(minutes=5)
    session.save()
    return "20:25"


def _delete_session(forum):
    Session.objects.get(event=forum, slug="break-day-1").delete()
    return None


def _edit_event(forum):
    forum.name_en = "Renamed forum"
    forum.save()
    return "Renamed forum"


def _edit_day(forum):
    day = Day.objects.get(event=forum, number=1)
    day.label_en = "Opening day"
    day.save()
    return "Opening day"


def _edit_speaker(forum):
    speaker = Speaker.objects.get(slug="yamaguchi-tsuyoshi")
    speaker.name_en = "Renamed Speaker"
    speaker.save()
    return "Renamed Speaker"


def _edit_organisation(forum):
    organisation = Organisation.objects.filter(event_roles__event=forum).first()
    organisation.name_en = "Renamed Organisation"
    organisation.save()
    return "Renamed Organisation"


def _add_session_speaker(forum):
    speaker = Speaker.objects.create(slug="new-speaker", name="Brand New Speaker")
    SessionSpeaker.objects.create(
        session=Session.objects.get(event=forum, slug="session-1"), speaker=speaker
    )
    return "Brand New Speaker"


def _remove_session_speaker(forum):
    SessionSpeaker.objects.filter(session__event=forum).delete()
    return None


def _add_event_organisation(forum):
    organisation = Organisation.objects.create(slug="new-org", name="Newly Added Organisation")
    EventOrganisation.objects.create(event=forum, organisation=organisation,
                                     role=EventOrganisation.Role.COLLABORATOR, order=9)
    return "Newly Added Organisation"


def _add_organisation_through_relation(forum):
    organisation = Organisation.objects.create(slug="m2m-org", name="Linked Through M2M")
    forum.organisations.add(organisation, through_defaults={"role": "collaborator"})
    return "Linked Through M2M"


def _add_speaker_through_relation(forum):
    speaker = Speaker.objects.create(slug="m2m-speaker", name="Speaker Through M2M")
    Session.objects.get(event=forum, slug="session-1").speakers.add(speaker)
    return "Speaker Through M2M"


EDITS = [
    (_edit_session, AGENDA),
    (_move_session, AGENDA),
    (_delete_session, AGENDA),
    (_edit_event, AGENDA),
    (_edit_day, AGENDA),
    (_edit_speaker, "/en/events/zccf-2022/speakers/"),
    (_edit_speaker, "/en/events/zccf-2022/sessions/opening-remarks-day-1/"),
    (_edit_organisation, "/en/events/zccf-2022/"),
    (_add_session_speaker, "/en/events/zccf-2022/sessions/session-1/"),
    (_remove_session_speaker, "/en/events/zccf-2022/speakers/"),
    (_add_event_organisation, "/en/events/zccf-2022/"),
    (_add_organisation_through_relation, "/en/events/zccf-2022/"),
    (_add_speaker_through_relation, "/en/events/zccf-2022/sessions/session-1/"),
    (_edit_session, "/events/zccf-2022/calendar.ics"),
    (_move_session, "/events/zccf-2022/schedule.json"),
    (_edit_event, "/en/"),
]


@pytest.mark.parametrize(("edit", "path"), EDITS,
                         ids=[f"{edit.__name__[1:]}-{path}" for edit, path in EDITS])
def test_any_saved_change_is_visible_on_the_next_request(client, forum, edit, path):
    before = prime(client, path)
    shown = edit(Event.objects.get(pk=forum.pk))
    after = client.get(path)
    assert (after.status_code, status(after)) == (200, "miss")
    assert after.content != before.content
    if shown:
        text = after.content.decode()
        assert shown in text
    cached = client.get(path)
    assert (status(cached), cached.content) == ("hit", after.content)


def test_an_edit_leaves_other_events_cached(client, forum, dien_bien):
    prime(client, AGENDA)
    prime(client, DIEN_BIEN_AGENDA)
    _edit_session(forum)
    assert status(client.get(AGENDA)) == "miss"
    assert status(client.get(DIEN_BIEN_AGENDA)) == "hit"


def test_a_new_slug_makes_both_addresses_stale(client, forum):
    prime(client, AGENDA)
    forum.slug = "zccf"
    forum.save()
    assert client.get(AGENDA).status_code == 404
    assert client.get("/en/events/zccf/agenda/").status_code == 200


def test_deleting_an_event_empties_its_pages(client, dien_bien):
    prime(client, DIEN_BIEN_AGENDA)
    dien_bien.delete()
    assert client.get(DIEN_BIEN_AGENDA).status_code == 404


def test_bump_events_renews_the_generation_now_and_after_commit(django_capture_on_commit_callbacks):
    key = generations.generation_key(generations.event_scope("zccf-2022"))
    cache.set(key, "before")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bump_events({"zccf-2022"})
    now = cache.get(key)
    assert now not in (None, "before")
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get(key) not in (None, "before", now)


# The synthetic programme ----------------------------------------------------------

def test_generate_programme_builds_and_replaces_a_big_event(client):
    call_command("generate_programme", sessions=120, per_day=48, tracks=4, verbosity=0)
    event = Event.objects.get(slug="synthetic-120")
    assert Session.objects.filter(event=event).count() == 120
    assert list(event.days.values_list("number", flat=True)) == [1, 2, 3]
    assert Speaker.objects.filter(slug__startswith="synthetic-120-speaker-").count() == 60
    assert SessionSpeaker.objects.filter(session__event=event).count() == 180
    prime(client, "/en/events/synthetic-120/agenda/")

    call_command("generate_programme", sessions=120, per_day=48, tracks=4, verbosity=0)
    assert Event.objects.filter(slug="synthetic-120").count() == 1
    assert Session.objects.filter(event__slug="synthetic-120").count() == 120
    assert Speaker.objects.filter(slug__startswith="synthetic-120-speaker-").count() == 60
    assert Organisation.objects.filter(slug__startswith="synthetic-120-org-").count() == 20
    # bulk_create sends no signals: the command renews the generation itself.
    assert status(client.get("/en/events/synthetic-120/agenda/")) == "miss"


def test_agenda_queries_do_not_grow_with_the_synthetic_programme(client, forum):
    call_command("generate_programme", sessions=120, verbosity=0)
    call_command("generate_programme", sessions=400, verbosity=0)
    counts = {}
    for path in ["/en/events/synthetic-120/agenda/", "/en/events/synthetic-400/agenda/"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert (response.status_code, status(response)) == (200, "miss")
        counts[path] = len(queries)
    assert counts["/en/events/synthetic-120/agenda/"] == counts["/en/events/synthetic-400/agenda/"]
    # A big programme is shown a day at a time: day 1, 12 slots of 4 tracks.
    assert [len(slot.sessions) for day in response.context["days"] for slot in day.slots] == (
        [4] * 12
    )


@pytest.fixture
def rf():
    return RequestFactory()


def test_pages_are_served_fresh_when_the_cache_is_down(client, forum):
    from unittest import mock

    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("Redis is down")):
        response = client.get(AGENDA)
    assert (response.status_code, status(response)) == (200, "bypass")
    assert "Zero Carbon City International Forum" in response.content.decode()
    with mock.patch.object(cache, "set", side_effect=ConnectionError("Redis is down")):
        response = client.get(AGENDA)
    assert (response.status_code, status(response)) == (200, "miss")
    assert status(client.get(AGENDA)) == "miss"  # nothing was stored while it was down


def test_the_release_fingerprint_covers_the_projects_code_templates_and_catalogues(settings):
    from pathlib import Path

    base = Path(settings.BASE_DIR).resolve()
    folders = policy._source_folders(base)
    assert [str(folder.relative_to(base)) for folder in folders] == [
        "agenda", "forum_site", "locale", "registration", "templates",
    ]
    assert re.fullmatch(r"[0-9a-f]{16}", policy.release())


def test_the_page_cache_names_no_app_in_its_code():
    # Imports are import-linter's (pyproject.toml); this looks at the strings
    # and names in the code, docstrings left out.
    import ast
    from pathlib import Path

    from django.apps import apps

    project = Path(policy.__file__).resolve().parents[2]
    labels = {app.label for app in apps.get_app_configs()
              if Path(app.path).resolve().parent == project}
    assert labels == {"agenda", "registration"}
    for module in sorted(Path(policy.__file__).parent.glob("*.py")):
        tree = ast.parse(module.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        words = [node.value for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and id(node) not in docstrings]
        words += [node.id for node in ast.walk(tree) if isinstance(node, ast.Name)]
        assert not [word for word in words if any(label in word for label in labels)], module
