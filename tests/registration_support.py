"""Helpers shared by the registration tests (no tests here).

Emails leave on ``transaction.on_commit``. Inside a test's transaction nothing
commits, so :class:`CommitClient` runs each request inside
``django_capture_on_commit_callbacks(execute=True)``: the callbacks run when
the request ends, exactly as they would after a real commit.
"""

import re
from contextlib import contextmanager

from django.conf import settings
from django.core import mail

from agenda.models import Session
from registration import services
from registration.programme import parallel_slots

FORUM_CHOICES = ("parallel-session-1", "parallel-session-3")
_URL = re.compile(r"(?:https?|webcal)://[^\s\"'<>]+")


class CommitClient:
    """The test client, with on-commit callbacks (emails) run after each request."""

    def __init__(self, client, capture):
        self.client = client
        self.capture = capture

    def get(self, *args, **kwargs):
        with self.capture(execute=True):
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.capture(execute=True):
            return self.client.post(*args, **kwargs)


def slot_field_names(event):
    return [f"slot_{slot.key}" for slot in parallel_slots(event)]


def choice_data(event, slugs):
    """Form data choosing the sessions ``slugs`` (one per slot)."""
    data = {}
    for slot in parallel_slots(event):
        for session in slot.sessions:
            if session.slug in slugs:
                data[f"slot_{slot.key}"] = str(session.pk)
    return data


def form_data(event, *, choices=FORUM_CHOICES, **fields):
    """A valid registration form submission for ``event``."""
    data = {
        "full_name": "山田 花子",
        "email": "hanako@example.jp",
        "organisation": "横浜市",
        "position": "Director",
        "country": "JP",
        "sector": "local_government",
        "language": "en",
        "privacy_consent": "on",
    }
    if event.has_interpretation:
        data["channel"] = "ja"
    data.update(choice_data(event, choices))
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def details(event, *, email="hanako@example.jp", choices=FORUM_CHOICES, **fields):
    """Service-level details, as the form would produce them."""
    values = {
        "full_name": "山田 花子",
        "email": email,
        "organisation": "横浜市",
        "country": "JP",
        "sector": "local_government",
        "language": "en",
        "channel": "ja" if event.has_interpretation else "",
        "choices": list(Session.objects.filter(event=event, slug__in=choices)),
    }
    values.update(fields)
    return services.Details(**values)


def urls_in(text):
    return _URL.findall(text)


def local_path(url):
    """The path of an absolute site URL found in an email."""
    assert url.startswith(settings.SITE_URL + "/"), url
    return url[len(settings.SITE_URL):]


def confirmation_path(message):
    [url] = [u for u in urls_in(message.body) if "/registration/confirm/" in u]
    return local_path(url)


def manage_path(message):
    urls = [u for u in urls_in(message.body) if re.search(r"/registration/[\w-]{43}/$", u)]
    assert urls, message.body
    return local_path(urls[0])


@contextmanager
def committed(capture):
    """Run service calls and then their on-commit callbacks (the emails)."""
    with capture(execute=True) as callbacks:
        yield callbacks


def sign_up(capture, event, *, email="hanako@example.jp", confirm=True, **fields):
    """Register (and by default confirm) through the services, emails sent."""
    from registration import tokens

    with capture(execute=True):
        registration = services.register(event, details(event, email=email, **fields))
    if confirm:
        with capture(execute=True):
            registration = services.confirm(tokens.sign_confirmation(registration.pk))
    return registration


def outbox_to(address):
    return [message for message in mail.outbox if message.to == [address]]
