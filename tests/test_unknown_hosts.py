"""A request for a host the site does not serve: a 400 page, one access line, no traceback.

Scanners hit the bare IP with any Host header. Django refuses the host
(DisallowedHost); the 400 page must then render without asking for the host
again (the language switcher's absolute links did, which turned every such
request into a 500 and ~79 KB of traceback).
"""

import logging

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/healthz", "/en/", "/en/events/zccf-2022/agenda/",
                                  "/events/zccf-2022/calendar.ics", "/nowhere/"])
def test_an_unknown_host_gets_the_400_page_and_one_access_line(client, seed_events, caplog,
                                                                path):
    caplog.set_level(logging.DEBUG)
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()
    assert "evil.example" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    access = [r for r in caplog.records if r.name == "forum_site.access"]
    assert [(r.method, r.path, r.status) for r in access] == [("GET", path, 400)]
    assert [r for r in caplog.records if r.exc_info] == []
    assert [r.levelno for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_an_unknown_host_with_a_port_and_a_post_is_a_400_too(client, seed_events, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/en/events/zccf-2022/register/", {"email": "a@example.org"},
                           HTTP_HOST="203.0.113.9:8080")
    assert response.status_code == 400
    assert [r for r in caplog.records if r.exc_info] == []


def test_an_error_page_that_cannot_render_falls_back_to_a_plain_body(rf, monkeypatch):
    from forum_site import errors

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors, "render", broken)
    response = errors.bad_request(rf.get("/", HTTP_HOST="evil.example"))
    assert (response.status_code, response.content) == (400, b"400 Bad request\n")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
