"""Log lines for production: one JSON object per line on stdout, nothing personal.

Every record becomes a single line (an exception's traceback included, with
its newlines escaped), so that journald, Docker or a log shipper never splits
one event into many. Records written while a request is served carry its
request id (see ``forum_site.middleware.RequestLogMiddleware``), which ties a
traceback to the access line of the request that caused it.

Personal data stays out: private registration links, confirmation links and
email addresses are cut out of every message before it is written (the access
line only carries the method, the path and the status in the first place). An
address can reach a log through an exception, e.g. a mail server refusing a
recipient (``SMTPRecipientsRefused`` names it).
"""

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

#: The id of the request being served in this thread or task, or "-".
request_id_var = contextvars.ContextVar("request_id", default="-")

# Private links (/registration/<token>/…) and confirmation links
# (/registration/confirm/<signed value>/) carry secrets in their path; the
# fixed pages beside them (link/, erased/) have short names.
_SECRET_IN_PATH = re.compile(r"(/registration/(?:confirm/)?)([^/?#\s\"']{20,})")
REDACTED = "[redacted]"
# An address with a dotted domain ("noreply@localhost" is no one's).
_EMAIL_ADDRESS = re.compile(r"[\w.!#$%&*+/=?^`|~-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_REDACTED = "[email]"

# Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))
) | {"message", "asctime", "request_id"}


def redact(text: str) -> str:
    """``text`` with the secret part of private and confirmation links, and addresses, replaced."""
    if "/registration/" not in text and "@" not in text:
        return text  # neither pattern can match: most lines, every access line of a page
    text = _SECRET_IN_PATH.sub(lambda m: m.group(1) + REDACTED, text)
    return _EMAIL_ADDRESS.sub(EMAIL_REDACTED, text)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served (``-`` outside one)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JSONFormatter(logging.Formatter):
    """``{"time": …, "level": …, "logger": …, "message": …, "request_id": …, …}``."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for name, value in vars(record).items():
            if name in _STANDARD_ATTRS or name.startswith("_") or name in entry:
                continue
            if name == "request":  # Django passes the request object: never dump it
                continue
            entry[name] = redact(value) if isinstance(value, str) else _plain(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain one-line format for a laptop, redacted like :class:`JSONFormatter`."""

    def format(self, record):
        return redact(super().format(record))


def _plain(value):
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact(str(value))
