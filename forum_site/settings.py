"""Settings for the forum site, read from the environment (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The default key only exists so that a fresh clone runs; `check --deploy`
# flags it, and production must set SECRET_KEY.
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-development-only-key-do-not-use-in-production",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the site, used in emails, calendar files and feeds.
# Empty on a laptop: links then use the address of the request being served
# (forum_site/site_url.py). Production sets it.
SITE_URL = env("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "modeltranslation",  # must come before django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "post_office",  # the outbox: every email stored, retried, visible in the admin
    "agenda",
    "registration",
    "axes",  # throttles failed admin logins (see "Production" below)
]

# The order is the cost of an answer: a static file is answered by the third
# middleware, a cached page by the fourth, and nothing below them runs for it.
MIDDLEWARE = [
    "forum_site.middleware.RequestLogMiddleware",  # first: times and logs everything below
    # HTTPS redirect; HSTS, nosniff, Referrer-Policy and COOP on every answer,
    # static files and cached pages included.
    "django.middleware.security.SecurityMiddleware",
    "forum_site.middleware.StaticFilesMiddleware",  # WhiteNoise, minus staticfiles.json
    # Serves anonymous public pages from the shared cache (forum_site/pagecache),
    # compressed as stored; the headers set below are stored with them.
    "forum_site.pagecache.middleware.PageCacheMiddleware",
    "forum_site.middleware.RequestBodyLimitMiddleware",  # 413 before any body is read
    "forum_site.middleware.AllowedMethodsMiddleware",  # 405 + Allow for PUT, TRACE, OPTIONS…
    "forum_site.middleware.ClientIPMiddleware",
    "forum_site.site_url.SiteURLMiddleware",  # links built from the request without SITE_URL
    "forum_site.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, header built once
    "forum_site.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "forum_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agenda.context_processors.languages",
                "agenda.context_processors.robots",
            ],
        },
    },
]

WSGI_APPLICATION = "forum_site.wsgi.application"
ASGI_APPLICATION = "forum_site.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A database that accepts connections but never answers must not hold every
# worker for minutes: seconds to connect (libpq counts whole seconds, at least
# 2), and seconds any one statement may run (0: no limit, e.g. for a long
# migration). A timeout is an outage like a refused connection: a quick 503
# (forum_site/errors.py). docs/reliability.md says what each one covers.
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=3)
DB_STATEMENT_TIMEOUT = env.float("DB_STATEMENT_TIMEOUT", default=30)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "connect_timeout": DB_CONNECT_TIMEOUT,
        "options": f"-c statement_timeout={int(DB_STATEMENT_TIMEOUT * 1000)}",
        # A peer that vanished (host down, cable cut) is noticed within ~20 s.
        "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
        "keepalives_count": 2,
    })
# /healthz waits this many seconds for the database, then says 503.
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://forum-site")}
if CACHES["default"]["LOCATION"].startswith(("redis://", "rediss://", "unix://")):
    # Django's own Redis backend (with the `redis` package), whatever django-environ
    # would pick for redis:// (django-redis is not installed); the site's
    # subclass (forum_site/pagecache/backend.py) only reuses its Redis client.
    CACHES["default"] = {
        "BACKEND": "forum_site.pagecache.backend.RedisCache",
        "LOCATION": CACHES["default"]["LOCATION"],
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="forum"),
        # Seconds to wait for Redis to accept a connection and to answer:
        # a Redis that hangs costs each request at most this, then the page
        # cache serves fresh pages and the rate limiter its local count.
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
        },
    }

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Forum site <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# A mail server that hangs must not hold a visitor's request for long: the
# email stays in the outbox and is retried (POST_OFFICE below).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# django-post_office (registration/emails.py): every registration email is
# stored with the registration, sent right after the commit through
# EMAIL_BACKEND above, and when that fails retried by `manage.py
# send_queued_mail` (cron, docs/deployment.md) up to EMAIL_MAX_RETRIES times,
# EMAIL_RETRY_MINUTES apart. Stored emails are personal data: `manage.py
# cleanup_mail --days EMAIL_RETENTION_DAYS --delete-attachments` (cron)
# deletes them, and erasing a registration deletes its own at once.
POST_OFFICE = {
    "MAX_RETRIES": env.int("EMAIL_MAX_RETRIES", default=24),
    "RETRY_INTERVAL": timedelta(minutes=env.int("EMAIL_RETRY_MINUTES", default=15)),
    "LOG_LEVEL": 2,  # a delivery log row for each attempt, sent or failed
    "FILE_STORAGE": "email_attachments",
    "BATCH_SIZE": 100,
}
EMAIL_RETENTION_DAYS = env.int("EMAIL_RETENTION_DAYS", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# django-countries' Japanese names of these two put ASCII " (" between Japanese
# words; the same English names through our own catalogue get full-width brackets.
COUNTRIES_OVERRIDE = {
    "CC": _("Cocos (Keeling) Islands"),
    "FK": _("Falkland Islands (Malvinas)"),
}

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ja", "vi")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# A CDN in front: STATIC_URL=https://cdn.example.org/static/ (the CDN pulls from
# this site's /static/); its origin is then allowed by the CSP below.
STATIC_URL = env("STATIC_URL", default="static/")
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves `collectstatic`'s output through WhiteNoise: compressed
# copies and content-hashed names, cached by browsers for a year. That needs
# collectstatic first, so a laptop (DEBUG) and the test suite (pytest sets
# PYTEST_VERSION; tests render {% static %} without collecting) keep the plain
# storage. STATIC_MANIFEST=true|false overrides.
STATIC_MANIFEST = env.bool(
    "STATIC_MANIFEST", default=not DEBUG and "PYTEST_VERSION" not in os.environ
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Attachments of stored emails (calendar files). Every app instance and the
    # send_queued_mail cron must see the same directory; tests keep them in memory.
    "email_attachments": (
        {"BACKEND": "django.core.files.storage.InMemoryStorage"}
        if "PYTEST_VERSION" in os.environ
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": env("EMAIL_ATTACHMENTS_ROOT", default=str(BASE_DIR / "var" / "email")),
            },
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic, WhiteNoise finds files in the apps' static folders.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST

# Security: strict by default, relaxed only where DEBUG says it is a laptop.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe /healthz over plain HTTP: it answers there, not with a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Whether a page answered from the page cache writes an access line at INFO like
# any request (true), or at DEBUG like a static file (false): nginx logs it with
# its X-Page-Cache header, and the line was a seventh of a hit's cost.
ACCESS_LOG_CACHE_HITS = env.bool("ACCESS_LOG_CACHE_HITS", default=False)

# One line per event on stdout: JSON in production (forum_site/logging.py),
# plain text on a laptop. LOG_FORMAT=json|text overrides.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "forum_site.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "forum_site.logging.JSONFormatter"},
        "text": {
            "()": "forum_site.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": env("LOG_FORMAT", default="text" if DEBUG else "json"),
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The access line of every request (forum_site.middleware.RequestLogMiddleware);
        # ACCESS_LOG=false silences it, e.g. when nginx already logs each request.
        # Static files and page-cache hits are logged at DEBUG (see ACCESS_LOG_CACHE_HITS).
        "forum_site.access": {
            "level": "INFO" if env.bool("ACCESS_LOG", default=True) else "WARNING",
        },
        # A handler of its own stops django-post_office from installing its
        # plain-text one; its records reach the console above like any other.
        "post_office": {"handlers": ["null"], "level": "INFO", "propagate": True},
        # A Host header the site does not serve (scanners on the bare IP): the
        # access line already records the 400; Django would add a traceback.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
        # One line per event: Django's own console handler (DEBUG only) would
        # print "Not Found: …" a second time beside the root's line, and
        # runserver's "GET … 200" lines repeat forum_site.access.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["null"], "propagate": False},
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Registration (registration/ratelimit.py, registration/views.py): sign-ups and
# "send me my link" requests allowed per client IP, sign-ups per email address,
# and link requests per email address, as (hits, seconds); without Redis, the
# same numbers per app process (fail open, logged as errors); and how long
# personal details are kept after an event.
REGISTRATION_RATE_LIMITS = {
    "ip": (env.int("REGISTRATION_RATE_LIMIT_IP", default=30), 3600),
    "email": (env.int("REGISTRATION_RATE_LIMIT_EMAIL", default=5), 3600),
    # "Send me my link" per address, counted apart from sign-ups.
    "link": (env.int("REGISTRATION_RATE_LIMIT_LINK", default=10), 3600),
}
REGISTRATION_RETENTION_MONTHS = env.int("REGISTRATION_RETENTION_MONTHS", default=12)

# Production (README "Production", docs/deployment.md) ------------------------

# Cookies: HttpOnly everywhere (no script here reads a cookie); Secure with the
# HTTPS settings above.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): only this site's own scripts, styles,
# images and fonts; no inline script, no framing, forms post only here.
_STATIC_ORIGIN = (
    ["{0.scheme}://{0.netloc}".format(urlsplit(STATIC_URL))] if "://" in STATIC_URL else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_STATIC_ORIGIN],
        "style-src": ["'self'", *_STATIC_ORIGIN],
        "img-src": ["'self'", "data:", *_STATIC_ORIGIN],
        "font-src": ["'self'", *_STATIC_ORIGIN],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# forum_site.middleware.PermissionsPolicyMiddleware: every powerful feature off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
        "microphone", "payment", "usb", "interest-cohort",
    )
}
# The header the TLS proxy sets to the visitor's address (nginx: X-Real-IP), so
# rate limits and login throttling see visitors, not the proxy. Empty: REMOTE_ADDR.
# Only when the proxy overwrites the header and gunicorn is reachable through
# the proxy alone (docs/deployment.md); a malformed value is ignored.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")

# The admin lives at ADMIN_URL (default "admin/"): a less guessable path keeps
# most password-guessing robots away; django-axes stops the others.
ADMIN_URL = env("ADMIN_URL", default="admin/").strip("/") + "/"
# The admin's is the only login here: after it, and when a next= address is
# refused as unsafe, organisers land on the admin's index (not Django's
# default /accounts/profile/, a 404 here).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# django-axes: after AXES_FAILURE_LIMIT failed admin logins for one user name
# from one address, that pair is locked out for AXES_COOLOFF_HOURS. Attempts are
# counted in the database, which every app instance shares.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins; logs nobody in
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1.0))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address ClientIPMiddleware vetted, never a header axes would read itself.
AXES_CLIENT_IP_CALLABLE = "forum_site.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Public pages and feeds cached in CACHES["default"] (forum_site/pagecache): seconds
# an entry lives at most (an organiser's edit replaces it at once anyway), how
# long browsers may reuse a page without asking (0: they revalidate with the
# ETag every time, so an edit shows on the next load), and an off switch (the
# benchmark runs a second instance with PAGE_CACHE_ENABLED=false).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=3600)
PAGE_CACHE_BROWSER_MAX_AGE = env.int("PAGE_CACHE_BROWSER_MAX_AGE", default=0)
# Each app process also keeps the pages it serves most, up to this many bytes, so
# a hit only fetches the event's small generation token from the shared cache.
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# Addresses under these prefixes are private links (registration's): robots.txt
# (forum_site/robots.py) disallows them under each language prefix and without one.
PRIVATE_URL_PREFIXES = ["registration/"]

# Error pages in the site's layout and language (forum_site/errors.py).
CSRF_FAILURE_VIEW = "forum_site.errors.csrf_failure"
# Forms here are small; a larger body is refused with 413 before it is parsed,
# whatever its content type (forum_site.middleware.RequestBodyLimitMiddleware:
# file parts included); the admin takes organisers' programme files up to 5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)
ADMIN_REQUEST_BODY_MAX_BYTES = env.int("ADMIN_REQUEST_BODY_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Innermost, so a lost database or cache connection in any view becomes a 503
# page in the visitor's language.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "forum_site.errors.ServiceUnavailableMiddleware",
)
