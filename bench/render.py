#!/usr/bin/env python3
"""Rendering time of the programme pages, uncached, in one process: ``bench/render.py``.

Builds a fresh PostgreSQL database (``forum_bench_render`` unless
``--database``) with both seed events, then times in this process, through
Django's test client with the production settings (``DEBUG=false``, the
cached template loader) and the page cache off: the forum's agenda, one of
its session pages, and a trivial view (an ``HttpResponse`` of two bytes, behind
the same middleware). Each is fetched ``--warmup`` times, then ``--count``
times; the median per request is printed with its ratio to the trivial view,
and the size and element count of each page. ``--profile`` prints where the
agenda's time goes (cProfile, cumulative). Loopback only; the database is
dropped at the end unless ``--keep``.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import database  # noqa: E402 (after the path it is found on)

AGENDA = "/en/events/zccf-2022/agenda/"
SESSION = "/en/events/zccf-2022/sessions/parallel-session-1/"
TRIVIAL = "/bench-trivial/"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database", default="forum_bench_render")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true",
                        help="Measure a database kept by an earlier --keep run as it is.")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/14",
                        help="the shared cache, as in production (the page cache is off)")
    parser.add_argument("--profile", action="store_true",
                        help="Also print the agenda's cProfile, by cumulative time.")
    parser.add_argument("--profile-lines", type=int, default=40,
                        help="how many functions --profile prints")
    args = parser.parse_args()
    for server in (args.server, args.cache):
        if urlsplit(server).scheme != "locmemcache" and urlsplit(server).hostname not in (
                "127.0.0.1", "localhost", "::1"):
            parser.error(f"{server}: the benchmark only talks to services on this machine")
    if not 1 <= args.count <= 10_000:
        parser.error("--count must be 1 to 10000")

    url = f"{args.server}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench-only",
           "ALLOWED_HOSTS": "testserver", "PAGE_CACHE_ENABLED": "false",
           "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "WARNING", "STATIC_MANIFEST": "false",
           "ACCESS_LOG": "false", "CACHE_URL": args.cache}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    if not args.reuse:
        database.recreate(args.database)
    try:
        for command in [] if args.reuse else (["migrate", "--noinput", "-v0"],
                                               ["load_seed_events", "-v0"]):
            subprocess.run(manage + command, env=env, check=True)
        os.environ.update(env)
        measure(args)
    finally:
        if not args.keep:
            database.drop(args.database)


class _Elements(HTMLParser):
    """Counts start tags, as tests/test_page_weight.py does."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1


def elements(html: str) -> int:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.count


def trivial(request):
    """The floor: what Django and the site's middleware cost for any page."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def _urlconf():
    """The site's URLs and the trivial view, as a module the resolver can use."""
    import types

    from django.urls import path

    from forum_site import urls

    module = types.ModuleType("bench_render_urls")
    module.urlpatterns = [path(TRIVIAL.strip("/") + "/", trivial), *urls.urlpatterns]
    for name in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, name, getattr(urls, name))
    return module


def measure(args):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")
    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    # (name, path, whether the shared cache is emptied before each request, so
    # that nothing is kept: neither the session blocks of agenda/session_cards.py
    # nor the programme of agenda/kept_programme.py; the first render after an edit).
    pages = [("trivial view", TRIVIAL, False), ("forum agenda", AGENDA, False),
             ("forum agenda, after an edit (nothing kept)", AGENDA, True),
             ("session page", SESSION, False)]
    with override_settings(ROOT_URLCONF=_urlconf()):
        times = {name: [] for name, _path, _cold in pages}
        cpu = {name: [] for name, _path, _cold in pages}
        sizes = {}
        for name, path, _cold in pages:
            for _ in range(args.warmup):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                assert response.get("X-Page-Cache") in (None, "bypass"), path
            html = response.content.decode()
            sizes[name] = (len(response.content), elements(html))
            if "zone-picker" in html:
                start = html.index('<section class="zone-picker"')
                end = html.index("</section>", start) + len("</section>")
                sizes[name] += (len(html[start:end].encode()), elements(html[start:end]))
        # Interleaved, so that a disturbance on the machine slows every page alike.
        for _ in range(args.count):
            for name, path, cold in pages:
                if cold:
                    cache.clear()
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(path)
                times[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
        medians = {name: statistics.median(values) for name, values in times.items()}
        cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
        floor, cpu_floor = medians["trivial view"], cpu_medians["trivial view"]
        print(f"\nmedian of {args.count} requests each, page cache off, DEBUG off; CPU: this "
              "process's own time (not the database's, nor time spent waiting for a core)\n")
        print("| page | ms per request | × trivial view | CPU ms | CPU × trivial view | bytes "
              "| elements | zone picker bytes | picker elements |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, _path, _cold in pages:
            size = sizes[name] + ("", "") if len(sizes[name]) == 2 else sizes[name]
            print(f"| {name} | {medians[name]:.2f} | {medians[name] / floor:.1f} | "
                  f"{cpu_medians[name]:.2f} | {cpu_medians[name] / cpu_floor:.1f} | "
                  + " | ".join(str(value) for value in size) + " |")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.count):
                client.get(AGENDA)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile_lines)


if __name__ == "__main__":
    main()
