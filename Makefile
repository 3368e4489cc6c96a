# Switchboard — two commands: `make run` (the demo) and `make test` (lint + the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_SCALE ?= 1
# The bench's scratch database: bench.sqlite3, or with a PostgreSQL DATABASE_URL a database
# beside it, `<name>_bench` (created if missing) unless its name already says bench.
BENCH_DATABASE_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(if $(findstring bench,$(DATABASE_URL)),$(DATABASE_URL),$(DATABASE_URL)_bench),sqlite:///bench.sqlite3)
# Production settings (DEBUG off) over plain HTTP, static files served without the manifest.
BENCH_ENV = DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=$(BENCH_DATABASE_URL)
LOADTEST = $(BENCH_ENV) $(PY) manage.py loadtest

.PHONY: run test lint bench loadtest venv clean chromium wrk messages gettext

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# The French catalogues (<app>/locale/fr/LC_MESSAGES/django.po), compiled for Django by
# GNU gettext's msgfmt.
gettext:
	$(call debian,msgfmt,gettext,to compile the French catalogues)

messages: venv gettext
	env -u DJANGO_SETTINGS_MODULE $(VENV)/bin/django-admin compilemessages --ignore=.venv --ignore=node_modules -v 0

# The demo: SQLite, sandbox providers, demo data, printed logins; web server and task worker
# together, Ctrl-C stops both.
run: export DEBUG ?= true
run: export SWITCHBOARD_URL ?= http://$(HOST):$(PORT)
run: venv messages
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

# $(call debian,<command>,<package>,<what for>): install a Debian package when its command is
# missing (as root, or through sudo).
define debian
	@command -v $(1) >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  echo "Installing Debian's $(2) $(3)…"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(2) >/dev/null; }
endef

# Browser tests drive Debian's Chromium.
chromium:
	$(call debian,/usr/bin/chromium,chromium,for the browser tests)

# The load test drives gunicorn with Debian's wrk.
wrk:
	$(call debian,wrk,wrk,for the load test)

test: lint chromium messages
	$(VENV)/bin/pytest -n 2 --dist loadfile

# Pages at scale beside their anchors (admin changelist, import floor), chart polling, then
# throughput under gunicorn (`make loadtest` alone once seeded).
bench: venv wrk messages
	$(BENCH_ENV) $(PY) manage.py bench --scale $(BENCH_SCALE)
	$(BENCH_ENV) $(PY) manage.py bench_chart_polling
	$(LOADTEST)

loadtest: venv wrk
	$(LOADTEST)

clean:
	rm -rf $(VENV) db.sqlite3* bench.sqlite3* staticfiles
