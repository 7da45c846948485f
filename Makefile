# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install db stop worker chromium bench lint format clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

db: install
	$(PY) -m cms.database start

run: db
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_curriculum
	$(PY) manage.py tutor_reindex
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py load_demo_organisations
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/). Ctrl-C stops the server and the database."
	@trap '$(PY) -m cms.database stop' EXIT; trap 'exit 130' INT TERM; $(PY) manage.py runserver $(HOST):$(PORT)

stop:
	$(PY) -m cms.database stop

worker: db
	$(PY) -m celery -A cms worker --loglevel=info --concurrency=2

chromium:
	@command -v chromium >/dev/null 2>&1 || ( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null )

test: install chromium
	$(PY) -m ruff check .
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest

bench: db
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py tutor_bench

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean: stop
	rm -rf var/
