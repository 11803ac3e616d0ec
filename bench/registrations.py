#!/usr/bin/env python3
"""Sign-up, organiser pages and exports with many registrations: ``bench/registrations.py``.

Builds a fresh PostgreSQL database (``forum_bench_registrations`` unless
``--database``), loads both seed events, adds ``--count`` synthetic
registrations to the forum (``generate_registrations``), then times, in this
process through Django's test client as a signed-in superuser: the admin's
registration list (plain, filtered, searched), the seats page, the event's
dashboard, and the CSV and Excel exports of every registration of the forum
(the admin's "select all"; a workbook over the admin's limit through
``export_registrations``): time to the first byte, total time, bytes, peak
memory of the process. Each page is fetched three times and the median is
printed, as a Markdown table.

Sign-up is timed on a demonstration copy of the forum a week ahead
(``create_demo_event``: the seed events are past and closed), first with 10
synthetic registrations on it, then with ``--count``: ``--signups`` times
(default 20, 0 to skip), as an anonymous visitor with a fresh address, the
form's GET and POST, then the emailed confirmation link's GET and POST. It
prints the median and 90th percentile of each and its SQL queries. Emails go
to Django's in-memory outbox and the rate limits are raised through their
settings; nothing else differs from production settings.
Loopback only; the database is dropped at the end unless ``--keep``.
"""

import argparse
import io
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import database  # noqa: E402 (after the path it is found on)

DEMO = "zccf-signup-bench"
FEW = 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database", default="forum_bench_registrations")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true",
                        help="Measure a database kept by an earlier --keep run as it is "
                             "(the sign-up event's synthetic registrations are made again).")
    parser.add_argument("--signups", type=int, default=20,
                        help="Sign-ups timed at 10 and at --count registrations (0: none).")
    args = parser.parse_args()

    url = f"{args.server}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench-only",
           "ALLOWED_HOSTS": "testserver", "PAGE_CACHE_ENABLED": "false",
           "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "WARNING", "ACCESS_LOG": "false",
           "STATIC_MANIFEST": "false", "EMAIL_URL": "memorymail://",
           # Every sign-up comes from the one address of the test client.
           "REGISTRATION_RATE_LIMIT_IP": "100000000",
           "REGISTRATION_RATE_LIMIT_EMAIL": "100000000"}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    if not args.reuse:
        database.recreate(args.database)

    def run(*command):
        started = time.perf_counter()
        subprocess.run(manage + list(command), env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"{' '.join(command)}: {time.perf_counter() - started:.1f} s", file=sys.stderr)

    load = os.getloadavg()[0]
    try:
        if not args.reuse:
            run("migrate", "--noinput", "-v0")
            run("loaddata", "zccf-2022", "dien-bien-2024", "-v0")
        os.environ.update(env)
        setup_django()
        signups = []
        if args.signups:
            from agenda.models import Event

            if not Event.objects.filter(slug=DEMO).exists():
                run("create_demo_event", "zccf-2022", "--slug", DEMO)
            run("generate_registrations", "--event", DEMO, "--count", str(FEW))
            signups.append((FEW, measure_signups(args.signups)))
        if not args.reuse:
            run("generate_registrations", "--event", "zccf-2022", "--count", str(args.count))
        if args.signups:
            run("generate_registrations", "--event", DEMO, "--count", str(args.count))
            signups.append((args.count, measure_signups(args.signups)))
        measure(args.count)
        if signups:
            print_signups(args.signups, signups)
        print(f"\nLoad average (1 min) at the start: {load:.2f}, at the end: "
              f"{os.getloadavg()[0]:.2f}, on {os.cpu_count()} cores")
    finally:
        if not args.keep:
            database.drop(args.database)


def setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")
    django.setup()


def measure(count):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from agenda.models import Event
    from registration import exports

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
        if action == "export_xlsx" and count > exports.XLSX_ADMIN_LIMIT:
            # The admin refuses workbooks this big and points to the command.
            with tempfile.TemporaryDirectory() as folder:
                output = Path(folder) / "registrations.xlsx"
                call_command("export_registrations", "--event", forum.slug, "--format",
                             "xlsx", "--output", str(output), stdout=io.StringIO(),
                             stderr=io.StringIO())
                size, first = output.stat().st_size, None
        else:
            # "Select all" of the list filtered to the forum (the sign-up
            # event's registrations are in the same table).
            response = client.post(f"{registrations}?event__id__exact={forum.pk}",
                                   {"action": action, "_selected_action": list(every[:1]),
                                    "select_across": "1", "index": "0"})
            assert response.status_code == 200, (action, response.status_code)
            chunks = iter(response.streaming_content)
            size = len(next(chunks))
            first = (time.perf_counter() - started) * 1000
            size += sum(len(chunk) for chunk in chunks)
        total = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        first = "—" if first is None else f"{first:.0f}"
        print(f"| {action} | {first} | {total:.1f} | {size / 1e6:.1f} | {peak:.0f} |")


CONFIRM_LINK = re.compile(r"https?://\S+/registration/confirm/[^/\s]+/")


def measure_signups(times):
    """Time ``times`` sign-ups and confirmations on the demonstration event.

    Each is a new anonymous visitor (its own client, so its own CSRF cookie)
    with a fresh address, choosing the sessions in turn in every parallel
    slot. One untimed sign-up first loads templates and translations. Returns
    ``{step: [(ms, queries), …]}``.
    """
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agenda.models import Event
    from registration.models import Registration
    from registration.programme import parallel_slots

    event = Event.objects.get(slug=DEMO)
    register = f"/en/events/{DEMO}/register/"
    slots = parallel_slots(event)
    steps = ("form GET", "sign-up POST", "confirmation GET", "confirmation POST")
    results = {step: [] for step in steps}

    def timed(step, request, *args, expect):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = request(*args)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == expect, (step, response.status_code)
        return elapsed, len(queries), response

    for n in range(times + 1):
        client = Client(secure=True)
        address = f"signup-{time.time_ns()}-{n}@bench.example.org"
        data = {"full_name": "Bench Tester Nguyễn 山田", "email": address,
                "organisation": "City office", "position": "Climate officer",
                "country": "JP", "sector": "local_government", "language": "en",
                "privacy_consent": "on", "homepage": ""}
        if event.has_interpretation:
            data["channel"] = "ja"
        for slot in slots:
            data[f"slot_{slot.key}"] = str(slot.sessions[n % len(slot.sessions)].pk)
        mail.outbox = []
        form = timed("form GET", client.get, register, expect=200)
        signup = timed("sign-up POST", client.post, register, data, expect=302)
        [message] = [m for m in mail.outbox if m.to == [address]]
        path = urlsplit(CONFIRM_LINK.search(message.body).group()).path
        page = timed("confirmation GET", client.get, path, expect=200)
        done = timed("confirmation POST", client.post, path, expect=302)
        assert not Registration.objects.get(event=event, email_key=address).is_pending
        if n:  # the first one warms up
            for step, (elapsed, queries, _response) in zip(steps, (form, signup, page, done),
                                                           strict=True):
                results[step].append((elapsed, queries))
    return results


def print_signups(times, measured):
    """The sign-up figures as a Markdown table, one column group per registration count."""
    counts = [count for count, _results in measured]
    print(f"\nSign-up on the demonstration event, {times} visitors each\n")
    print("| step | " + " | ".join(f"{c:,}: median (ms) | {c:,}: p90 (ms) | {c:,}: queries"
                                   for c in counts) + " |")
    print("|---|" + "---|---|---|" * len(counts))
    for step in measured[0][1]:
        cells = []
        for _count, results in measured:
            elapsed = [ms for ms, _queries in results[step]]
            fewest, most = (f([queries for _ms, queries in results[step]]) for f in (min, max))
            p90 = statistics.quantiles(elapsed, n=10)[-1] if len(elapsed) > 1 else elapsed[0]
            cells += [f"{statistics.median(elapsed):.0f}", f"{p90:.0f}",
                      str(most) if fewest == most else f"{fewest}–{most}"]
        print(f"| {step} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
