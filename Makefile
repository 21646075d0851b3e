# Endra: the two commands a new developer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := .tools/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-python install-frontend install-browser migrate seed messages \
        test lint audit check-migrations pytest worker bench bench-exam clean backup restore

run: install migrate seed ## install everything, migrate, load demo data, serve
	@echo "Endra runs on http://$(HOST):$(PORT)/, the admin on http://$(HOST):$(PORT)/admin/ (Ctrl-C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

install: install-python install-frontend

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install-python: $(UV)
	$(UV) sync --locked --quiet

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install-frontend: node_modules/.package-lock.json

install-browser: ## Debian's Chromium for the end-to-end tests
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

migrate:
	$(PY) manage.py migrate --no-input -v0

seed:
	$(PY) manage.py seed_demo --site-url http://$(HOST):$(PORT)

messages: ## refresh and compile the translations (nb, nn)
	$(PY) manage.py makemessages --no-location -l nb -l nn --ignore=node_modules --ignore=.venv --ignore=.tools
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules

test: install install-browser lint audit check-migrations pytest ## the whole suite, as CI runs it

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py check --fail-level WARNING

audit: install-python ## bandit over our code, pip-audit over the locked dependencies
	$(VENV)/bin/bandit -q -r config cms learners courses ops --severity-level medium \
		--exclude '*/migrations/*,*/tests/*'
	$(PY) ops/audit.py

backup: ## pg_dump of DATABASE_URL, tars of media/ and private_media/ into backups/<timestamp>/
	$(PY) ops/backup.py backup

restore: ## make restore BACKUP=backups/<timestamp> DATABASE_URL=postgres://.../<database>
	@test -n "$(BACKUP)" || (echo "Say which backup: make restore BACKUP=backups/<timestamp>"; exit 2)
	$(PY) ops/backup.py restore "$(BACKUP)"

check-migrations:
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

pytest:
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

worker: install ## Celery worker with beat, against CELERY_BROKER_URL
	$(VENV)/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2

clean:
	rm -rf $(VENV) .tools node_modules staticfiles db.sqlite3

bench: install ## speed at municipal scale on PostgreSQL + gunicorn: bench/results.json (see README)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-exam: install ## an exam class under load (locust): bench/exam-results.json (see README)
	$(PY) bench/exam.py $(BENCH_EXAM_ARGS)
