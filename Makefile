# The README's commands: `make run` (development), `make serve` (the production stack on this
# machine) and `make test`. All work on a fresh machine with Python 3.11 and make: they create
# .venv and install what they need.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
APP_PORT ?= 8000
EMULATOR_PORT ?= 8001
GATEWAY_PORT ?= 8002
export APP_PORT EMULATOR_PORT GATEWAY_PORT
APP_PACKAGES := project mindsphere sso navigation assets tenantadmin fleet blocks webapp

.PHONY: run serve test lint format bench loadtest lighthouse setup check migrate seed messages clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime

# The translations (locale/*/LC_MESSAGES/django.po) compiled for Django; needs GNU gettext's msgfmt.
messages: setup
	@command -v msgfmt >/dev/null || apt-get install -y -q gettext >/dev/null || { echo "Install GNU gettext (apt-get install gettext)"; exit 1; }
	DEBUG=1 $(PY) manage.py compilemessages --ignore "$(VENV)/*" -v0

# Development commands run with DEBUG on (the development SECRET_KEY is refused with DEBUG off).
migrate: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	$(PY) -m emulator migrate --noinput

seed: migrate
	$(PY) -m emulator seed_demo

# honcho with time for a graceful stop (project/serve.py). Quiet about what is no problem here: Django's
# "development server" banner, Celery's warning about running as root (containers), and Ctrl-C, which
# is how `make run` stops (honcho then exits 130).
run: seed messages
	@echo
	@echo "  App:       http://127.0.0.1:$(APP_PORT)/  (sign in with tenant 'acme' or 'globex')"
	@echo "  Emulator:  http://127.0.0.1:$(EMULATOR_PORT)/_emulator/admin/  (admin / demo)"
	@echo "  Gateway:   http://127.0.0.1:$(GATEWAY_PORT)/  (the app as from the Launchpad; or acme.localhost)"
	@echo "  Demo users: admin@acme.example, user@acme.example, norole@acme.example,"
	@echo "              admin@globex.example, consultant@example.com; password 'demo'"
	@echo
	@trap : INT; DEBUG=$${DEBUG:-1} DJANGO_RUNSERVER_HIDE_WARNING=true \
	  PYTHONWARNINGS="ignore:You're running the worker with superuser privileges" \
	  $(PY) -m project.serve -f Procfile.dev || [ $$? -eq 130 ]

# The production stack on this machine: DEBUG off, gunicorn, Celery worker and beat, and the
# emulator unless MINDSPHERE_AUTH_URL points elsewhere (docs/deploying.md). SECRET_KEY comes from
# the environment, else from var/secret_key (made once).
serve: setup messages
	@mkdir -p var
	@test -n "$$SECRET_KEY" -o -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@set -e; export DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput -v0; \
	case "$${MINDSPHERE_AUTH_URL:-http://127.0.0.1:$(EMULATOR_PORT)/}" in \
	  http://127.0.0.1:$(EMULATOR_PORT)/*) \
	    $(PY) -m emulator migrate --noinput -v0 && $(PY) -m emulator seed_demo >/dev/null; \
	    processes="web worker beat emulator";; \
	  *) processes="web worker beat";; \
	esac; \
	echo; echo "  App (production settings): http://127.0.0.1:$(APP_PORT)/"; echo; \
	exec $(PY) -m project.serve -f Procfile.serve $$processes

check: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py check
	$(PY) -m emulator check

# The fast subset (docs/developing.md): no browser and nothing that starts a server (pytest.ini's
# markers), about a minute and a half on two cores. Options as for `make test`.
.PHONY: test-fast
test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not browser and not live" $(PYTEST_ARGS)

test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

# The house style, held by tools (pyproject.toml): ruff's lint rules and formatting, and mypy.
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=project.settings $(VENV)/bin/mypy $(APP_PACKAGES) bench loadtest tools/lighthouse/run.py
	DJANGO_SETTINGS_MODULE=emulator.settings $(VENV)/bin/mypy emulator

# Apply ruff's safe fixes and its formatting.
format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The benchmark (docs/performance.md): ratios against bare Django views of the same run, on SQLite
# and, when they answer on this machine, PostgreSQL and Redis. Options: BENCH_ARGS="--seconds 5".
bench: $(VENV)/.dev
	$(PY) -m bench.run $(BENCH_ARGS)

# The load test (docs/performance.md): simulated phones (Locust) on two gunicorn instances behind
# HAProxy, with throw-away PostgreSQL and Redis, a Celery worker and the emulator, all on loopback;
# stops by itself. Needs haproxy, redis-server and PostgreSQL's initdb/pg_ctl. Options:
# LOADTEST_ARGS="--phones 10000 --rate 50 --seconds 900 --emulators 2" or "--fault postgres".
loadtest: $(VENV)/.dev messages
	$(PY) -m loadtest.run $(LOADTEST_ARGS)

# Lighthouse's mobile audit of the Login page, role homes, asset list, an asset page and Account
# (docs/accessibility.md): Lighthouse pinned in tools/lighthouse/package-lock.json, Node 20, Chromium.
LIGHTHOUSE_DIR := tools/lighthouse
$(LIGHTHOUSE_DIR)/node_modules/.installed: $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "Install Node.js 20 and npm (apt-get install nodejs npm)"; exit 1; }
	cd $(LIGHTHOUSE_DIR) && npm ci --no-audit --no-fund
	touch $@

lighthouse: $(VENV)/.dev messages $(LIGHTHOUSE_DIR)/node_modules/.installed
	$(PY) $(LIGHTHOUSE_DIR)/run.py $(LIGHTHOUSE_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 emulator.sqlite3 staticfiles media test-artifacts var $(LIGHTHOUSE_DIR)/node_modules
