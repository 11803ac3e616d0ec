#!/usr/bin/env python3
"""Organiser pages and exports with many registrations: ``bench/registrations.py``.

Builds a fresh PostgreSQL database (``forum_bench_registrations`` unless
``--database``), loads both seed events, adds ``--count`` synthetic
registrations to the forum (``generate_registrations``), then times, in this
process through Django's test client as a signed-in superuser: the admin's
registration list (plain, filtered, searched), the seats page, the event's
dashboard, and the CSV and Excel exports of every registration (time to the
first byte, total time, bytes, peak memory of the process). Each page is
fetched three times and the median is printed, as a Markdown table.
Loopback only; the database is dropped at the end unless ``--keep``.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database", default="forum_bench_registrations")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true",
                        help="Measure a database kept by an earlier --keep run as it is.")
    args = parser.parse_args()

    url = f"{args.server}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench-only",
           "ALLOWED_HOSTS": "testserver", "PAGE_CACHE_ENABLED": "false",
           "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "WARNING",
           "STATIC_MANIFEST": "false"}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    if not args.reuse:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres",
                        args.database], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database],
                       check=True)
    try:
        for command in [] if args.reuse else (["migrate", "--noinput", "-v0"],
                        ["loaddata", "zccf-2022", "dien-bien-2024", "-v0"],
                        ["generate_registrations", "--event", "zccf-2022",
                         "--count", str(args.count)]):
            started = time.perf_counter()
            subprocess.run(manage + command, env=env, check=True)
            print(f"{command[0]}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        os.environ.update(env)
        measure(args.count)
    finally:
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres",
                            args.database], check=True)


def measure(count):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from agenda.models import Event

    forum = Event.objects.get(slug="zccf-2022")
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(secure=True)
    client.force_login(user)
    registrations = "/admin/registration/registration/"
    pages = [
        ("registration list", registrations),
        ("list filtered by status", registrations + "?status__exact=waitlisted"),
        ("list searched", registrations + "?q=person4242"),
        ("list filtered by session", registrations + "?session="
         + str(forum.sessions.filter(kind="parallel").first().pk)),
        ("seats page", registrations + "seats/"),
        ("dashboard", f"{registrations}dashboard/{forum.pk}/"),
    ]
    print(f"\n{count} registrations on PostgreSQL\n")
    print("| page | median of 3 (ms) |\n|---|---|")
    for name, url in pages:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"| {name} | {statistics.median(times):.0f} |")

    every = forum.registrations.values_list("pk", flat=True)
    print("\n| export of every registration | first byte (ms) | total (s) | MB | "
          "peak RSS (MB) |\n|---|---|---|---|---|")
    for action in ("export_csv", "export_xlsx"):
        started = time.perf_counter()
        response = client.post(registrations, {"action": action,
                                               "_selected_action": list(every[:1]),
                                               "select_across": "1", "index": "0"})
        assert response.status_code == 200, (action, response.status_code)
        chunks = iter(response.streaming_content)
        size = len(next(chunks))
        first = (time.perf_counter() - started) * 1000
        size += sum(len(chunk) for chunk in chunks)
        total = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {action} | {first:.0f} | {total:.1f} | {size / 1e6:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
