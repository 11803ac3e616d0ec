#!/usr/bin/env bash
# Lighthouse scores of the agenda, a session page and the registration form,
# served production-like on 127.0.0.1: DEBUG off, collected and compressed
# static files through WhiteNoise, gunicorn, a throwaway SQLite database with
# the seed events. A benchmark, not a test: it prints the scores (record them
# in docs/quality.md) and leaves the full reports in test-artifacts/lighthouse/.
#
#   scripts/lighthouse.sh            # needs .venv (make install), npm ci, chromium
#   PORT=8800 scripts/lighthouse.sh  # a fixed port (default: any free one)
set -euo pipefail
cd "$(dirname "$0")/.."

# A free port unless told (another server may already hold a fixed one).
PORT="${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
OUT="${OUT:-test-artifacts/lighthouse}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
LIGHTHOUSE=node_modules/.bin/lighthouse
BASE="http://127.0.0.1:${PORT}"
PAGES=(
  "agenda=/en/events/zccf-2022/agenda/"
  "session=/en/events/zccf-2022/sessions/parallel-session-1/"
  "register=/en/events/zccf-2022/register/"
)
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run \
--disable-background-networking --disable-component-update --disable-sync"

[ -x "$LIGHTHOUSE" ] || { echo "lighthouse is missing: run npm ci" >&2; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "$CHROME_PATH is missing: apt-get install chromium" >&2; exit 1; }
[ -x .venv/bin/python ] || { echo ".venv is missing: run make install" >&2; exit 1; }

work="$(mktemp -d)"
server=""
# collectstatic writes to ./staticfiles (STATIC_ROOT): remove it afterwards
# unless it was there before, so that no stale copy outlives this run.
had_staticfiles=false
[ -e staticfiles ] && had_staticfiles=true
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
  if [ "$had_staticfiles" = false ]; then rm -rf staticfiles; fi
}
trap cleanup EXIT

# Production settings, minus HTTPS: Lighthouse talks to 127.0.0.1 over plain HTTP.
export DEBUG=false
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export SITE_URL="$BASE"
export DATABASE_URL="sqlite:///${work}/lighthouse.sqlite3"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECURE_HSTS_SECONDS=0 SECURE_HSTS_PRELOAD=false
export EMAIL_URL=consolemail://

mkdir -p "$OUT"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_seed_events -v0
.venv/bin/python manage.py collectstatic --noinput -v0

if [ -x .venv/bin/gunicorn ]; then
  .venv/bin/gunicorn forum_site.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 \
    --log-level warning >"${OUT}/server.log" 2>&1 &
else
  .venv/bin/python manage.py runserver --noreload "127.0.0.1:${PORT}" >"${OUT}/server.log" 2>&1 &
fi
server=$!

for _ in $(seq 1 100); do
  kill -0 "$server" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
  if curl -fs -o /dev/null "${BASE}/healthz"; then break; fi
  sleep 0.2
done
curl -fsS -o /dev/null "${BASE}/healthz" || { echo "the server did not answer" >&2; exit 1; }

printf '%-10s %12s %14s %15s %5s\n' page performance accessibility best-practices seo
for entry in "${PAGES[@]}"; do
  name="${entry%%=*}"
  path="${entry#*=}"
  # Warm the page cache first, as a visitor after the first one would find it.
  curl -fsS -o /dev/null "${BASE}${path}"
  "$LIGHTHOUSE" "${BASE}${path}" \
    --quiet \
    --chrome-flags="$CHROME_FLAGS" \
    --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output=html \
    --output-path="${OUT}/${name}" >/dev/null
  node -e '
    const r = require(process.argv[1]);
    const s = k => Math.round(r.categories[k].score * 100);
    console.log(process.argv[2].padEnd(10), String(s("performance")).padStart(12),
      String(s("accessibility")).padStart(14), String(s("best-practices")).padStart(15),
      String(s("seo")).padStart(5));
    const failed = Object.values(r.audits).filter(a => a.score !== null && a.score < 1 &&
      a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual");
    for (const a of failed) console.log("    " + a.id + ": " + a.title);
  ' "$(pwd)/${OUT}/${name}.report.json" "$name"
done
echo "Reports: ${OUT}/<page>.report.html"
