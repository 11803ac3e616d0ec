"""Draft events are invisible to the public everywhere; staff preview them with a banner."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from agenda.models import Event

DRAFT = "zccf-2022"
BANNER = "Draft – not public"

PAGES = [
    "/{lang}/events/{event}/",
    "/{lang}/events/{event}/agenda/",
    "/{lang}/events/{event}/sessions/opening-remarks-day-1/",
    "/{lang}/events/{event}/speakers/",
    "/{lang}/events/{event}/speakers/yamaguchi-tsuyoshi/",
    "/{lang}/events/{event}/changes/",
    "/{lang}/events/{event}/register/",
    "/{lang}/events/{event}/register/sent/",
    "/{lang}/events/{event}/privacy/",
]
FEEDS = [
    "/events/{event}/calendar.ics",
    "/events/{event}/days/1.ics",
    "/events/{event}/sessions/opening-remarks-day-1.ics",
    "/events/{event}/schedule.json",
]


@pytest.fixture
def draft(forum):
    Event.objects.filter(pk=forum.pk).update(published=False)
    forum.refresh_from_db()
    return forum


def _urls(kinds, lang="en"):
    return [url.format(lang=lang, event=DRAFT) for url in kinds]


@pytest.mark.parametrize("url", _urls(PAGES) + _urls(PAGES, "ja") + _urls(FEEDS))
def test_every_page_and_feed_of_a_draft_is_404_for_the_public(client, draft, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", _urls(PAGES) + _urls(FEEDS))
def test_the_same_urls_answer_while_published(client, forum, url):
    assert client.get(url).status_code == 200


def test_a_draft_is_not_in_the_home_list_sitemap_or_robots(client, draft):
    home = client.get("/en/").content.decode()
    assert "Zero Carbon City" not in home
    assert "Điện Biên" in client.get("/vi/").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert DRAFT not in sitemap
    assert "/en/events/dien-bien-2024/" in sitemap
    assert DRAFT not in client.get("/robots.txt").content.decode()


def test_unpublishing_hides_pages_already_cached(client, forum):
    assert client.get(f"/en/events/{DRAFT}/agenda/")["X-Page-Cache"] == "miss"
    assert client.get(f"/en/events/{DRAFT}/agenda/")["X-Page-Cache"] == "hit"
    assert "Zero Carbon City" in client.get("/en/").content.decode()
    forum.published = False
    forum.save()
    assert client.get(f"/en/events/{DRAFT}/agenda/").status_code == 404
    assert "Zero Carbon City" not in client.get("/en/").content.decode()


def _staff(codenames):
    user = get_user_model().objects.create_user("aiko", "aiko@example.org", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize("url", _urls(PAGES[:6]))
def test_staff_who_may_view_events_see_a_draft_with_a_banner_never_cached(client, draft, url):
    client.force_login(_staff(["view_event"]))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(BANNER) == 1
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "private"} <= cache_control
    assert response["X-Page-Cache"] == "bypass"


def test_staff_feeds_of_a_draft_are_private(client, draft):
    client.force_login(_staff(["view_event"]))
    response = client.get(f"/events/{DRAFT}/schedule.json")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_staff_without_the_permission_get_404(client, draft):
    client.force_login(_staff([]))
    assert client.get(f"/en/events/{DRAFT}/").status_code == 404


def test_a_published_event_has_no_banner(client, forum):
    client.force_login(_staff(["view_event"]))
    assert BANNER not in client.get(f"/en/events/{DRAFT}/").content.decode()


@pytest.fixture
def organiser_client(client, db):
    user = get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    client.force_login(user)
    return client


def test_publish_and_unpublish_actions(organiser_client, draft, client):
    url = reverse("admin:agenda_event_changelist")
    response = organiser_client.post(
        url, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["1 event published."]
    draft.refresh_from_db()
    assert draft.published
    response = organiser_client.post(
        url, {"action": "unpublish", "_selected_action": [draft.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["1 event is a draft again."]
    assert not Event.objects.get(pk=draft.pk).published


def test_published_is_a_field_of_the_event_form(organiser_client, draft):
    response = organiser_client.get(reverse("admin:agenda_event_change", args=[draft.pk]))
    assert "published" in response.context["adminform"].form.fields
