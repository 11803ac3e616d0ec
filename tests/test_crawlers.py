"""robots.txt and sitemap.xml: what search engines are told to read, and what not."""

import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from agenda.models import Session

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
SITE = "https://forum.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert (response.status_code, response["Content-Type"]) == (200, "application/xml")
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)
    }


def test_robots_txt_keeps_crawlers_off_private_links_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\n"
        "Disallow: /en/registration/\n"
        "Disallow: /ja/registration/\n"
        "Disallow: /vi/registration/\n"
        "Disallow: /registration/\n"
        "\n"
        f"Sitemap: {SITE}/sitemap.xml\n"
    )


def test_robots_txt_disallows_every_private_prefix_the_settings_name(client, db, settings):
    settings.PRIVATE_URL_PREFIXES = ["registration/", "tickets/"]
    settings.LANGUAGES = [("en", "English"), ("ja", "Japanese")]
    assert client.get("/robots.txt").content.decode() == (
        "User-agent: *\n"
        "Disallow: /en/registration/\n"
        "Disallow: /ja/registration/\n"
        "Disallow: /registration/\n"
        "Disallow: /en/tickets/\n"
        "Disallow: /ja/tickets/\n"
        "Disallow: /tickets/\n"
        "\n"
        f"Sitemap: {SITE}/sitemap.xml\n"
    )


def test_the_admin_address_is_not_advertised(client, db, settings):
    assert "admin" not in client.get("/robots.txt").content.decode()


def test_sitemap_lists_every_public_page_in_every_language(client, seed_events):
    pages = []
    for event in ("dien-bien-2024", "zccf-2022"):
        pages += [f"events/{event}/", f"events/{event}/agenda/", f"events/{event}/speakers/"]
    pages += [f"events/zccf-2022/sessions/{session.slug}/"
              for session in Session.objects.order_by("start", "slug")]
    pages.append("events/zccf-2022/speakers/yamaguchi-tsuyoshi/")

    entries = sitemap_entries(client)

    assert set(entries) == {f"{SITE}/{language}/{page}" for page in pages
                            for language in ("en", "ja", "vi")}
    assert len(entries) == 3 * (6 + 15 + 1)


def test_a_big_programmes_day_pages_are_listed_in_every_language(client, forum):
    call_command("generate_programme", sessions=120, per_day=48, verbosity=0)

    entries = sitemap_entries(client)

    days = {loc for loc in entries if "/agenda/day-" in loc}
    assert days == {f"{SITE}/{language}/events/synthetic-120/agenda/day-{number}/"
                    for language in ("en", "ja", "vi") for number in (1, 2, 3)}
    latest = max(s.updated_at for s in Session.objects.filter(event__slug="synthetic-120"))
    day = entries[f"{SITE}/vi/events/synthetic-120/agenda/day-2/"]
    assert (day.findtext("s:lastmod", namespaces=NS), day.findtext("s:changefreq", namespaces=NS)
            ) == (latest.date().isoformat(), "daily")


def test_each_address_names_its_translations_and_a_default(client, forum):
    entry = sitemap_entries(client)[f"{SITE}/ja/events/zccf-2022/agenda/"]
    alternates = {link.get("hreflang"): link.get("href")
                  for link in entry.findall("x:link", NS)}
    assert alternates == {
        "en": f"{SITE}/en/events/zccf-2022/agenda/",
        "ja": f"{SITE}/ja/events/zccf-2022/agenda/",
        "vi": f"{SITE}/vi/events/zccf-2022/agenda/",
        "x-default": f"{SITE}/events/zccf-2022/agenda/",
    }


def test_pages_are_dated_by_their_last_change(client, forum):
    session = Session.objects.get(event=forum, slug="framing-session")
    entries = sitemap_entries(client)
    page = entries[f"{SITE}/en/events/zccf-2022/sessions/framing-session/"]
    assert page.findtext("s:lastmod", namespaces=NS) == session.updated_at.date().isoformat()
    latest = max(s.updated_at for s in Session.objects.filter(event=forum))
    overview = entries[f"{SITE}/vi/events/zccf-2022/"]
    assert overview.findtext("s:lastmod", namespaces=NS) == latest.date().isoformat()


def test_a_forged_host_header_does_not_change_the_addresses(client, forum, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    entries = sitemap_entries(client.__class__(HTTP_HOST="evil.example"))
    assert all(loc.startswith(f"{SITE}/") for loc in entries)


def test_an_event_without_sessions_is_listed_without_a_date(client, dien_bien):
    entry = sitemap_entries(client)[f"{SITE}/en/events/dien-bien-2024/agenda/"]
    assert entry.find("s:lastmod", NS) is None


def test_the_default_address_sends_each_visitor_to_their_language(client, forum):
    response = client.get("/events/zccf-2022/agenda/", HTTP_ACCEPT_LANGUAGE="ja")
    assert (response.status_code, response["Location"]) == (302, "/ja/events/zccf-2022/agenda/")
