""".env.example copied to .env works on a laptop as it is: production values stay commented."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def example_settings():
    """The variables .env.example sets (its lines that are not comments)."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_the_uncommented_lines_are_a_laptop_setup():
    values = example_settings()
    assert values["DEBUG"] == "true"
    # Each of these points at a production service or breaks plain HTTP on a laptop.
    for name in ("DATABASE_URL", "CACHE_URL", "EMAIL_URL", "SITE_URL", "ALLOWED_HOSTS",
                 "SECRET_KEY", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST",
                 "EMAIL_ATTACHMENTS_ROOT", "STATIC_ROOT"):
        assert name not in values, name


def test_the_site_serves_its_pages_with_the_example_settings(tmp_path):
    env = {**os.environ, **example_settings(),
           "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    env.pop("PYTEST_VERSION", None)  # as `make run` starts it, not as the tests do
    check = (
        "from django.test import Client\n"
        "client = Client()\n"
        "for path in ('/healthz', '/en/'):\n"
        "    print(path, client.get(path, HTTP_HOST='127.0.0.1:8000').status_code)\n"
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", check],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    statuses = [line for line in result.stdout.splitlines() if line.startswith("/")]
    assert statuses == ["/healthz 200", "/en/ 200"]
