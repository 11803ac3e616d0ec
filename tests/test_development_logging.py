"""On a laptop (DEBUG=true) each event is one log line: no second copy from Django's handlers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def development_output(code, tmp_path):
    """What ``code`` prints (stdout and stderr, by line) in a DEBUG=true ``manage.py shell``."""
    env = {**os.environ, "DEBUG": "true", "LOG_FORMAT": "text",
           "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    return [line for line in (result.stdout + result.stderr).splitlines() if line]


def test_a_not_found_is_written_once_and_runserver_lines_not_at_all(tmp_path):
    lines = development_output(
        "import logging\n"
        "logging.getLogger('django.request').warning('Not Found: /en/nowhere/')\n"
        "logging.getLogger('django.server').info('\"GET /en/ HTTP/1.1\" 200 5120')\n",
        tmp_path,
    )
    assert len(lines) == 1
    assert lines[0].endswith(" WARNING django.request [-] Not Found: /en/nowhere/")
