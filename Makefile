# groupadmin — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
PORT ?= 5000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run test lint bench install install-dev translations translations-update system-deps js-deps db-check test-dates clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogues are built, not committed.
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d groupadmin/translations >/dev/null

# After adding or changing user-facing strings: extract them and merge into each language's catalogue.
translations-update: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output -w 100 -o groupadmin/translations/messages.pot . >/dev/null
	$(BIN)/pybabel -q update -i groupadmin/translations/messages.pot -d groupadmin/translations --no-fuzzy-matching -w 100 >/dev/null

## make run: install, upgrade the database, seed the demo when empty, serve on 127.0.0.1:$(PORT)
## together with the scheduler; Ctrl-C stops both.
run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	PORT=$(PORT) FLASK="$(FLASK)" scripts/run.sh

## make test: everything CI runs. Installs what tests need (pip, npm for the second calendar parser, and
## Debian's PostgreSQL, Chromium and node).
test: install-dev translations system-deps js-deps
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory db-check
	$(BIN)/pytest -q
	scripts/with-postgres.sh $(BIN)/pytest -q -m postgres

## make test-dates: the SQLite suite with the machine's clock 45 and 400 days ahead (the suite must pass on
## any date). libfaketime breaks timed waits across processes, so `real_clock` tests are left out.
test-dates: install-dev translations
	@command -v faketime >/dev/null || { apt-get install -y -q faketime >/dev/null 2>&1 || sudo apt-get install -y -q faketime; }
	for days in 45 400; do \
	  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +$${days}d $(BIN)/pytest -q -m "not real_clock" || exit 1; \
	done

lint: install-dev
	$(BIN)/ruff check .

system-deps:
	scripts/system-deps.sh

# ical.js and axe-core, pinned in tests/js/package-lock.json: the second iCalendar parser the calendar
# tests run, and the accessibility check the browser journeys inject into every page.
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --silent
	touch $@

js-deps: system-deps tests/js/node_modules/.installed

# `flask db check` against a throw-away database upgraded to head: no model change without a migration.
db-check: install
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	  DATABASE_URL="sqlite:///$$d/check.sqlite3" $(FLASK) db upgrade >/dev/null 2>&1 && \
	  DATABASE_URL="sqlite:///$$d/check.sqlite3" $(FLASK) db check

bench: install-dev translations
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache tests/js/node_modules
