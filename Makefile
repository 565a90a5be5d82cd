# HMS: `make run` starts everything on embedded defaults; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
export HMS_PORT := $(PORT)

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrate seed check-deploy clean bench

help:
	@echo "make run      start web + Celery worker + beat with demo data (http://127.0.0.1:$(PORT))"
	@echo "make test     run the whole test suite (SQLite, or DATABASE_URL/REDIS_URL if set)"
	@echo "make lint     ruff check + ruff format --check + lint-imports (imports run one way)"
	@echo "make format   apply ruff fixes and formatting"
	@echo "make bench    performance benchmark on PostgreSQL + Redis (~10 min; docs/performance.md)"
	@echo "make clean    remove var/ (local database, mail, broker files) and the virtualenv"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "HMS needs Python 3.11 or newer (found %s). Set PYTHON=python3.11." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.runtime: requirements.txt $(VENV)/.python-ok
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.python-ok
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	@mkdir -p var/mail
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py seed_demo
	@echo ""
	@echo "  HMS is starting: open http://127.0.0.1:$(PORT)/  (demo logins above; Ctrl-C stops all)"
	@echo "  E-mails are written to var/mail/. Health: http://127.0.0.1:$(PORT)/healthz"
	@echo ""
	DJANGO_DEBUG=true PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f hms/Procfile.dev -d . start

test: $(VENV)/.dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev
	bench/run

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var $(VENV) staticfiles
