"""The page cache keys pages by a configured host name, never the Host header as sent.

A scanner sending ``Host: 127.0.0.1:<port>`` with 100 ports made 100 copies of
a page in Redis. The key now takes the configured name for the header's
domain, without the port; a host only a wildcard allows is served uncached.
"""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

AGENDA = "/en/events/zccf-2022/agenda/"


def stored_keys():
    return set(cache._cache)  # the local-memory backend of the test settings


def test_a_hundred_ports_share_one_entry(client, forum):
    first = client.get(AGENDA, HTTP_HOST="127.0.0.1:1000")
    assert first["X-Page-Cache"] == "miss"
    keys = stored_keys()
    states = {client.get(AGENDA, HTTP_HOST=f"127.0.0.1:{1001 + n}")["X-Page-Cache"]
              for n in range(100)}
    assert states == {"hit"}
    assert stored_keys() == keys


def test_case_and_port_of_the_site_host_do_not_matter(client, forum, settings):
    settings.SITE_URL = "https://forum.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "forum.example.org"]
    assert client.get(AGENDA, HTTP_HOST="forum.example.org")["X-Page-Cache"] == "miss"
    keys = stored_keys()
    for host in ("FORUM.example.org", "forum.example.org:443", "Forum.Example.Org:8443"):
        assert client.get(AGENDA, HTTP_HOST=host)["X-Page-Cache"] == "hit"
    assert stored_keys() == keys


def test_a_host_only_a_wildcard_allows_is_served_but_not_stored(client, forum, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".example.net"]
    keys = stored_keys()
    for number in range(5):
        response = client.get(AGENDA, HTTP_HOST=f"x{number}.example.net")
        assert (response.status_code, response["X-Page-Cache"]) == (200, "bypass")
    # The agenda's session blocks (agenda/session_cards.py) and the event's
    # generation they are checked against are kept whatever the host: they name
    # none, and there is one per session and language, one per event.
    pages = {key for key in stored_keys()
             if ":pagecache:card:" not in key and ":pagecache:gen:" not in key}
    assert pages == keys


def test_two_configured_hosts_keep_their_own_pages(client, forum):
    # Absolute links (hreflang) name the host, so each configured name has its copy.
    client.get(AGENDA, HTTP_HOST="localhost:8000")
    assert client.get(AGENDA, HTTP_HOST="localhost:9999")["X-Page-Cache"] == "hit"
    assert client.get(AGENDA, HTTP_HOST="127.0.0.1")["X-Page-Cache"] == "miss"
