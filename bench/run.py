#!/usr/bin/env python3
"""Load test of the production setup, side by side, in one run: ``make bench``.

What it does (everything on 127.0.0.1, every measurement bounded in time):

1. builds a fresh PostgreSQL database (``forum_bench`` unless ``--database``):
   migrations, both seed events, ``generate_programme --sessions 1000``, and
   ``create_demo_event`` (a forum a week ahead, for the sign-up target);
2. collects the static files (hashed, compressed) into a temporary folder;
3. starts two gunicorn instances with DEBUG off and the Redis cache: one with
   the page cache on, one with ``PAGE_CACHE_ENABLED=false`` ("uncached": the
   same code and settings, every request rendered);
4. checks each target answers as expected (status, cache hit or not), warms
   the caches, then runs ``wrk`` against each target in turn;
5. prints req/s, p50/p99 latency, errors, the ratios the targets are set in,
   and the machine it ran on, as a Markdown table (``--json`` saves the figures).

Requests carry ``X-Forwarded-Proto: https`` (the instances run with
BEHIND_TLS_PROXY=true, as behind nginx), so the HTTPS settings stay on.
Needs ``wrk`` (Debian: ``apt-get install wrk``), PostgreSQL and Redis.
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # loopback only, always
MAX_DURATION = 60
MAX_CONNECTIONS = 256


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target (max 60)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1,
                        help="gunicorn sync workers per instance (default: cores + 1)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each target this many times and keep the median")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL, without database name")
    parser.add_argument("--database", default="forum_bench")
    parser.add_argument("--keep-db", action="store_true", help="reuse the database as it is")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--local-cache", action="store_true",
                        help="each process's own memory instead of Redis (wrong for several "
                             "instances; shows what the Redis round trip costs)")
    parser.add_argument("--only", default="", help="comma-separated target names to run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1 to {MAX_DURATION} seconds")
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--connections must be 1 to {MAX_CONNECTIONS}")
    for url in (args.pg, args.redis):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: the benchmark only talks to services on this machine")
    return args


# Set-up ---------------------------------------------------------------------------------

def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare_database(args):
    import psycopg2

    if args.keep_db:
        return
    dsn = f"{args.pg}/postgres"
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        cursor.execute(f'CREATE DATABASE "{args.database}"')
    conn.close()


def server_env(args, static_root, *, page_cache):
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
        DEBUG="false",
        SECRET_KEY=args.secret_key,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"{args.pg}/{args.database}",
        CONN_MAX_AGE="60",
        CACHE_URL="locmemcache://bench" if args.local_cache else args.redis,
        CACHE_KEY_PREFIX=args.cache_prefix,
        BEHIND_TLS_PROXY="true",
        STATIC_MANIFEST="true",
        STATIC_ROOT=str(static_root),
        EMAIL_URL="dummymail://",  # emails are rendered, not sent: SMTP is not measured
        REGISTRATION_RATE_LIMIT_IP="100000000",
        REGISTRATION_RATE_LIMIT_EMAIL="100000000",
        PAGE_CACHE_ENABLED="true" if page_cache else "false",
        LOG_FORMAT="json",
    )
    return env


class Server:
    def __init__(self, name, env, workers, log_dir):
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "forum_site.wsgi:application",
             "--bind", f"{HOST}:{self.port}", "--workers", str(workers),
             "--timeout", "120", "--backlog", "2048"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    @property
    def origin(self):
        return f"https://{HOST}:{self.port}"

    def wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log_path}")
            try:
                if get(self, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer in {timeout}s; see {self.log_path}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
    sent = {"Host": f"{HOST}:{server.port}", "X-Forwarded-Proto": "https", **(headers or {})}
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def get(server, path, headers=None):
    return request(server, "GET", path, headers=headers)


class _RegistrationForm(HTMLParser):
    """A valid submission of the sign-up form: first choice of every radio group and select."""

    def __init__(self):
        super().__init__()
        self.fields, self.radios, self.in_form, self.select = {}, set(), False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "registration-form" in (attrs.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if tag == "input" and name:
            if kind == "radio":
                if name not in self.radios:
                    self.radios.add(name)
                    self.fields[name] = attrs.get("value", "")
            elif kind == "checkbox":
                if name == "privacy_consent":
                    self.fields[name] = "on"
            elif kind == "email":
                self.fields[name] = "BENCH_EMAIL"
            elif kind == "hidden":
                self.fields[name] = attrs.get("value", "")
            elif kind == "text":
                self.fields[name] = "" if name == "homepage" else "Bench Tester Nguyễn 山田"
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and attrs.get("value"):
            self.fields.setdefault(self.select, attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def registration_request(server, path):
    """The body, cookie and origin for POSTing the sign-up form from wrk."""
    status, response, html = get(server, path)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}: is the registration form there?")
    cookie = next(
        (header.split(";", 1)[0] for header in response.msg.get_all("Set-Cookie") or []
         if header.startswith("csrftoken=")), None,
    )
    form = _RegistrationForm()
    form.feed(html.decode())
    if not cookie or "csrfmiddlewaretoken" not in form.fields:
        raise SystemExit("the registration form has no CSRF token or cookie")
    body = urlencode(form.fields, quote_via=quote)
    check = body.replace("BENCH_EMAIL", f"bench-check-{secrets.token_hex(4)}%40example.org")
    status, response, _html = request(server, "POST", path, check.encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
        "Origin": server.origin, "Referer": server.origin + path,
    })
    if status != 302:
        raise SystemExit(f"POST {path} answered {status}, not the 302 of a valid sign-up")
    return {"BENCH_BODY": body, "BENCH_COOKIE": cookie, "BENCH_ORIGIN": server.origin,
            "BENCH_PATH": path}


# Measuring ------------------------------------------------------------------------------

def _ms(value, unit):
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    return float(value) * factor


def run_wrk(server, path, args, connections, script=None, script_env=None, headers=None):
    command = ["wrk", "--threads", str(min(args.threads, connections)),
               "--connections", str(connections), "--duration", f"{args.duration}s",
               "--timeout", "30s", "--latency",
               "--header", "X-Forwarded-Proto: https"]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    if script:
        command += ["--script", str(script)]
    command.append(f"http://{HOST}:{server.port}{path}")
    result = subprocess.run(command, capture_output=True, text=True,
                            env={**os.environ, **(script_env or {})},
                            timeout=args.duration + 60)
    out = result.stdout
    if result.returncode != 0:
        raise SystemExit(f"wrk failed: {result.stderr or out}")
    figures = {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}
    for label, key in (("50%", "p50_ms"), ("99%", "p99_ms")):
        match = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        figures[key] = _ms(*match.groups()) if match else None
    figures["requests"] = int(re.search(r"(\d+) requests in", out)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    figures["errors"] = (int(bad[1]) if bad else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)
    return figures


def drain(figures, connections):
    """Wait while the requests wrk left in flight are answered, so they do not slow the next
    target: at most one per connection, served at the rate just measured."""
    time.sleep(min(15.0, 0.5 + connections / max(figures["requests_per_second"], 0.1)))


def median(rounds):
    ordered = sorted(rounds, key=lambda figures: figures["requests_per_second"])
    return ordered[len(ordered) // 2]


# Reporting ------------------------------------------------------------------------------

def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    except OSError:
        memory_kb = 0

    def version(command):
        try:
            return subprocess.run(command, capture_output=True, text=True,
                                  timeout=10).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": version(["psql", "--version"]),
        "redis": version(["redis-server", "--version"]),
        "wrk": version(["wrk", "--version"]),
        "gunicorn": version([PYTHON, "-m", "gunicorn", "--version"]),
    }


def ratio(results, top, bottom):
    """The median over the rounds of top's req/s over bottom's, measured in the same round."""
    if top not in results or bottom not in results:
        return None
    pairs = [a / b for a, b in zip(results[top]["rounds"], results[bottom]["rounds"], strict=True)
             if b]
    return sorted(pairs)[len(pairs) // 2] if pairs else None


def report(results, args, about, load_before, load_after):
    lines = [
        f"Machine: {about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB RAM; "
        f"{about['os']}; Python {about['python']}; {about['postgresql']}; {about['redis']}; "
        f"{about['wrk']}; gunicorn {about['gunicorn']} ({args.workers} sync workers per "
        f"instance). wrk: {args.threads} threads, {args.duration}s per target and round, "
        f"{args.rounds} round(s), medians shown (ratios: median of per-round ratios). "
        f"Cache: {'per-process memory' if args.local_cache else 'Redis'}. "
        f"Load average before/after: {load_before} / {load_after}.",
        "",
        "| target | instance | connections | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, figures in results.items():
        p50 = "-" if figures["p50_ms"] is None else f"{figures['p50_ms']:.1f}"
        p99 = "-" if figures["p99_ms"] is None else f"{figures['p99_ms']:.1f}"
        lines.append(
            f"| {name} | {figures['instance']} | {figures['connections']} | "
            f"{figures['requests_per_second']:.0f} | {p50} | {p99} | {figures['errors']} |"
        )
    lines += ["", "| ratio | value | target |", "|---|---:|---|"]
    checks = [
        ("cached forum agenda / static file", ratio(results, "agenda forum cached", "static file"),
         0.8),
        ("cached forum agenda / static file, both brotli",
         ratio(results, "agenda forum cached, br", "static file, br"), 0.8),
        ("uncached forum agenda / trivial view",
         ratio(results, "agenda forum uncached", "trivial view (/robots.txt)"), 0.35),
        ("cached / uncached forum agenda",
         ratio(results, "agenda forum cached", "agenda forum uncached"), None),
        ("cached / uncached 1,000-session agenda",
         ratio(results, "agenda 1000 cached", "agenda 1000 uncached"), None),
        ("cached / uncached .ics", ratio(results, ".ics cached", ".ics uncached"), None),
        ("cached / uncached schedule.json",
         ratio(results, "schedule.json cached", "schedule.json uncached"), None),
    ]
    for label, value, target in checks:
        if value is None:
            continue
        verdict = "" if target is None else (
            f"≥ {target} {'met' if value >= target else f'MISSED by {target - value:.2f}'}")
        lines.append(f"| {label} | {value:.2f} | {verdict} |")
    cached = results.get("agenda forum cached")
    if cached and cached["p99_ms"] is not None:
        verdict = "met" if cached["p99_ms"] <= 50 else f"MISSED by {cached['p99_ms'] - 50:.1f} ms"
        lines.append(f"| cached forum agenda p99 at {cached['connections']} connections | "
                     f"{cached['p99_ms']:.1f} ms | ≤ 50 ms {verdict} |")
    return "\n".join(lines)


def load_average():
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


# Main -----------------------------------------------------------------------------------

def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    args.secret_key = secrets.token_urlsafe(50)
    args.cache_prefix = f"bench-{secrets.token_hex(4)}"
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="forum-bench-"))
    static_root = work / "static"
    servers = []
    try:
        log(f"database {args.database}: migrate, seed events, 1,000-session programme")
        prepare_database(args)
        setup_env = server_env(args, static_root, page_cache=True)
        if not args.keep_db:
            manage(setup_env, "migrate", "--noinput")
            manage(setup_env, "load_seed_events")
            manage(setup_env, "generate_programme", "--sessions", "1000")
            # The seed events are past and closed: sign-ups go to a copy of the
            # forum a week ahead, as a newcomer tries them.
            manage(setup_env, "create_demo_event", "zccf-2022", "--slug", "zccf-bench")
        manage(setup_env, "collectstatic", "--noinput")
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

        cached = Server("cached", setup_env, args.workers, work)
        uncached = Server("uncached", server_env(args, static_root, page_cache=False),
                          args.workers, work)
        servers = [cached, uncached]
        for server in servers:
            server.wait()

        register_path = "/en/events/zccf-bench/register/"
        targets = [
            # name, server, path, expected X-Page-Cache, connections (None: --connections)
            ("static file", cached, f"/static/{manifest['css/site.css']}", None, None),
            ("static file, br", cached, f"/static/{manifest['css/site.css']}", None, None),
            # The yardstick of the uncached agenda: a view that builds a few lines
            # of text, behind every middleware. (/healthz opens a database
            # connection of its own in a thread per probe, so it is no trivial view.)
            ("trivial view (/robots.txt)", cached, "/robots.txt", None, None),
            ("health check (/healthz)", cached, "/healthz", None, None),
            ("agenda forum cached", cached, "/en/events/zccf-2022/agenda/", "hit", None),
            # What a browser asks for: the stored brotli copy (forum_site/pagecache).
            ("agenda forum cached, br", cached, "/en/events/zccf-2022/agenda/", "hit", None),
            ("agenda forum uncached", uncached, "/en/events/zccf-2022/agenda/", None, None),
            ("agenda 1000 cached", cached, "/en/events/synthetic-1000/agenda/", "hit", None),
            # About 1 s of CPU per page: a few connections are enough to keep every
            # worker busy, and more would only queue (and time out) in the backlog.
            ("agenda 1000 uncached", uncached, "/en/events/synthetic-1000/agenda/", None, 8),
            (".ics cached", cached, "/events/zccf-2022/calendar.ics", "hit", None),
            (".ics uncached", uncached, "/events/zccf-2022/calendar.ics", None, None),
            ("schedule.json cached", cached, "/events/zccf-2022/schedule.json", "hit", None),
            ("schedule.json uncached", uncached, "/events/zccf-2022/schedule.json", None, None),
            ("registration POST", cached, register_path, "post", None),
        ]
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            targets = [target for target in targets if target[0] in wanted]

        load_before = load_average()
        prepared = []
        for name, server, path, expected, connections in targets:
            connections = min(connections or args.connections, args.connections)
            headers = {"Accept-Encoding": "br"} if name.endswith(", br") else None
            script = script_env = None
            if expected == "post":
                script = BASE_DIR / "bench" / "register.lua"
                script_env = registration_request(server, path)
            else:
                for _ in range(3):  # fill the cache (and each worker's copy)
                    status, response, _body = get(server, path, headers)
                state = response.getheader("X-Page-Cache")
                if status != 200 or state != expected:
                    raise SystemExit(f"{name}: {path} answered {status} ({state}), "
                                     f"expected 200 ({expected})")
                if headers and response.getheader("Content-Encoding") != "br":
                    raise SystemExit(f"{name}: {path} was not sent as brotli")
            prepared.append((name, server, path, connections, script, script_env, headers))

        # Rounds outside, targets inside: a disturbance on the machine (another
        # job starting) then hits every target of one round rather than all the
        # rounds of one target, and the per-round ratios stay comparable.
        rounds = {name: [] for name, *_rest in prepared}
        for number in range(1, args.rounds + 1):
            for name, server, path, connections, script, script_env, headers in prepared:
                log(f"round {number}/{args.rounds}: {name}, {connections} connections, "
                    f"{args.duration}s")
                figures = run_wrk(server, path, args, connections, script, script_env, headers)
                rounds[name].append(figures)
                drain(figures, connections)
        results = {}
        for name, server, path, connections, _script, _env, _headers in prepared:
            results[name] = {**median(rounds[name]), "instance": server.name,
                             "connections": connections, "path": path,
                             "rounds": [r["requests_per_second"] for r in rounds[name]]}
        load_after = load_average()
    finally:
        for server in servers:
            server.stop()
        clear_cache(args)
        shutil.rmtree(work, ignore_errors=True)

    about = machine()
    print(report(results, args, about, load_before, load_after))
    log(f"done in {time.monotonic() - started:.0f}s")
    if args.json:
        args.json.write_text(json.dumps({"machine": about, "results": results,
                                         "workers": args.workers, "duration": args.duration,
                                         "load_before": load_before,
                                         "load_after": load_after}, indent=2))


def clear_cache(args):
    """Remove this run's keys from Redis (they carry a prefix of their own)."""
    try:
        import redis

        client = redis.Redis.from_url(args.redis)
        keys = list(client.scan_iter(f"{args.cache_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception as error:  # the run's figures matter more than the clean-up
        log(f"could not clear the bench keys from Redis: {error}")


if __name__ == "__main__":
    main()
