# The README's two commands: `make run` and `make test`. Both work on a fresh machine with
# Python 3.11 and make: they create .venv and install what they need.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
APP_PORT ?= 8000
EMULATOR_PORT ?= 8001

.PHONY: run test setup check migrate seed clean

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

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) -m emulator migrate --noinput

seed: migrate
	$(PY) -m emulator seed_demo

run: seed
	@echo
	@echo "  App:       http://127.0.0.1:$(APP_PORT)/  (sign in with tenant 'acme' or 'globex')"
	@echo "  Emulator:  http://127.0.0.1:$(EMULATOR_PORT)/_emulator/admin/  (admin / demo)"
	@echo "  Demo users: admin@acme.example, user@acme.example, norole@acme.example,"
	@echo "              admin@globex.example, consultant@example.com; password 'demo'"
	@echo
	DEBUG=$${DEBUG:-1} APP_PORT=$(APP_PORT) EMULATOR_PORT=$(EMULATOR_PORT) $(VENV)/bin/honcho start -f Procfile

check: setup
	$(PY) manage.py check
	$(PY) -m emulator check

test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 emulator.sqlite3 staticfiles media test-artifacts
