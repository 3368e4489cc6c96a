# Switchboard — two commands: `make run` (the demo) and `make test` (lint + the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_SCALE ?= 1

.PHONY: run test lint bench venv clean chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# The demo: SQLite, sandbox providers, demo data, printed logins; web server and task worker
# together, Ctrl-C stops both.
run: export DEBUG ?= true
run: export SWITCHBOARD_URL ?= http://$(HOST):$(PORT)
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/ and log in with one of the users above."
	@trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT; \
	$(PY) manage.py worker & worker=$$!; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT) & server=$$!; \
	( $(PY) manage.py wait_ready --url http://$(HOST):$(PORT)/healthz && $(PY) manage.py sync ) & \
	wait -n $$worker $$server

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Browser tests drive Debian's Chromium: install it when missing (as root, or through sudo).
chromium:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: lint chromium
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: venv
	# Production settings (DEBUG off) over plain HTTP, without the static manifest: tests.settings.
	DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:///bench.sqlite3 \
		$(PY) manage.py bench --scale $(BENCH_SCALE)
	DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:///bench.sqlite3 \
		$(PY) manage.py bench_chart_polling

clean:
	rm -rf $(VENV) db.sqlite3* bench.sqlite3* staticfiles
