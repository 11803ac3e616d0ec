# Two commands for a newcomer: `make run` (serve the site on SQLite) and
# `make test` (the whole test suite). Python 3.11+ is all they need; with npm,
# Java and Debian's chromium as well, the browser tests (tests/browser) run too,
# and without them those tests skip, each saying what is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
NPM ?= npm

.PHONY: install run test lint superuser messages clean serve bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core, vnu-jar and Lighthouse, for the browser tests only (so `make test`,
# never `make run`), exactly as locked. Without npm, or with npm offline, the
# tests that need them skip and say so; the rest of the suite still runs.
node_modules/.installed: package.json package-lock.json
	@if ! command -v $(NPM) >/dev/null 2>&1; then \
		echo "npm not found: browser tests needing axe-core, vnu-jar or Lighthouse will skip"; \
	elif $(NPM) ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error; then touch $@; \
	else echo "npm ci failed (offline?): browser tests needing axe-core, vnu-jar or Lighthouse will skip"; fi

install: $(VENV)/.installed

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_seed_events
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Everything (what CI runs), on one pytest-xdist worker per core (a test file
# stays on one worker). For the edit-test loop, leave out the fuzz and the
# browser tests: make test PYTEST_ARGS='-m "not slow"'
TEST_WORKERS ?= auto
test: install node_modules/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

superuser: install
	DEBUG=true $(BIN)/python manage.py createsuperuser

messages: install
	$(BIN)/python manage.py makemessages --locale ja --locale vi --no-obsolete --ignore '.venv/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The production setup on this machine (README "Production"): DEBUG off,
# gunicorn, hashed and compressed static files served by WhiteNoise. It speaks
# plain HTTP on HOST:PORT, so the HTTPS-only settings are relaxed here and only
# here. Without CACHE_URL the page cache lives in each process, so one worker;
# with CACHE_URL=redis://127.0.0.1:6379/1, any SERVE_WORKERS share it.
SERVE_WORKERS ?= 1
SERVE_ENV := DEBUG=false STATIC_MANIFEST=true SECURE_SSL_REDIRECT=false \
	SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0

serve: install
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py load_seed_events
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/gunicorn forum_site.wsgi:application --bind $(HOST):$(PORT) \
		--workers $(SERVE_WORKERS) --threads 4 --timeout 30 --graceful-timeout 30

# Load test on PostgreSQL + Redis with wrk (docs/performance.md); loopback only.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules test-artifacts
