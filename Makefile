# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve loadtest test install db stop worker chromium compose bench lint format clean

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
	@# uvicorn, not runserver: the tutor's answers are an async stream, which WSGI would deliver all at once.
	@trap '$(PY) -m cms.database stop' EXIT; trap 'exit 130' INT TERM; DJANGO_SETTINGS_MODULE=cms.settings.dev $(PY) -m uvicorn cms.asgi:application --host $(HOST) --port $(PORT) --reload --reload-dir cms --reload-dir lessons --reload-dir tutor

# The production process model on this machine: gunicorn + uvicorn workers, production settings, loopback
# defaults (deploy/serve.sh says which; README "Deployment"). WEB_CONCURRENCY sets the worker count.
serve: install
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) bash deploy/serve.sh

# Many learners asking the tutor at once against `make serve` and a slow local model server (README "Load test").
loadtest: install
	$(PY) -m tutor.quality.loadtest

stop:
	$(PY) -m cms.database stop
	@if [ -f var/redis.pid ]; then kill "$$(cat var/redis.pid)" 2>/dev/null; rm -f var/redis.pid; echo "Redis stopped."; fi

worker: db
	$(PY) -m celery -A cms worker --queues celery,indexing,exports --beat --schedule var/celerybeat-schedule --loglevel=info --concurrency=2

chromium:
	@command -v chromium >/dev/null 2>&1 || ( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null )

# A Compose client for the test that validates deploy/compose.yaml: Docker's plugin when present, else Debian's.
compose:
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || ( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null ) || echo "No Compose client could be installed: the Compose validation test will skip and say so."

test: install chromium compose
	$(PY) -m ruff check .
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest

bench: db
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py tutor_bench $(BENCH_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean: stop
	rm -rf var/
