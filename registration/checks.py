"""Deployment checks (``manage.py check --deploy``) for what registration emails carry.

Registration emails hold names, addresses and private links. Without
EMAIL_URL the site prints them on the console, that is into the logs of a
production server: `check --deploy` says so.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PRINTING_BACKENDS = {"django.core.mail.backends.console.EmailBackend"}


@register(Tags.security, deploy=True)
def check_email_is_sent(app_configs, **kwargs):
    """Warn when emails would be printed to stdout instead of sent."""
    if settings.EMAIL_BACKEND not in PRINTING_BACKENDS:
        return []
    return [Warning(
        "EMAIL_URL is not set: every email (names, addresses, private registration links) "
        "is printed on stdout, into the server's logs, and reaches nobody.",
        hint="Set EMAIL_URL to the mail server, e.g. smtp+tls://user:password@smtp.example.org:587.",
        id="registration.W001",
    )]
