# Composure. `make` lists what there is.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
AXE     = tests/browser/node_modules/axe-core/axe.min.js

.DEFAULT_GOAL := help
# WORKER_ARGS: e.g. --once, or --only outbox,mail
WORKER_ARGS ?=

.PHONY: help run serve workers setup install install-dev test lint format bench models models-check lemmas migrate demo screenshots messages translations clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The pinned requirements are installed by uv (from PyPI, like pip): it fetches and unpacks
# in parallel, about four times faster than pip on a fresh machine, which is most of CI's
# install time. pip installs uv itself; the packages are compiled as pip would.
UV_VERSION = 0.13.10
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.runtime: requirements.txt | $(BIN)/uv
	$(UV_INSTALL) -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(AXE) | $(BIN)/uv
	$(UV_INSTALL) -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# axe-core for the browser tests' accessibility scan, from the npm registry (pinned by the
# lock file); injected into the page under test, never served to users.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.runtime ## Create the virtual environment and install the app

install-dev: $(VENV)/.dev ## Install the app with test and lint tools

setup: install ## Migrate the database and load demo data on first run
	$(FLASK) db upgrade
	@if [ ! -f instance/.demo-loaded ] && [ -z "$$DATABASE_URL" ]; then \
	  $(FLASK) demo && touch instance/.demo-loaded; fi

run: setup ## Set everything up and serve at http://127.0.0.1:5000 (SQLite, demo data)
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: install ## Serve in production: migrate, then gunicorn (BIND, WEB_CONCURRENCY, WEB_THREADS; see README)
	COMPOSURE_ENV=production $(FLASK) db upgrade
	COMPOSURE_ENV=production exec $(BIN)/gunicorn --config python:app.serving.gunicorn_config wsgi:app

workers: install ## Run the background worker: outbox, imports, e-mail, clocks (WORKER_ARGS="--once" …)
	$(FLASK) worker run $(WORKER_ARGS)

demo: install ## Load (or top up) the demo users and complaints
	$(FLASK) demo

migrate: install ## Apply database migrations
	$(FLASK) db upgrade

# Test processes (pytest-xdist), each module on one of them (its module-scoped fixtures are
# built once); TEST_WORKERS=0 runs the suite in this one process.
TEST_WORKERS ?= 2

test: install-dev ## Install and run the whole test suite (TEST_WORKERS processes, default 2)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

lint: install-dev ## Lint and check formatting (ruff); no view over 30 lines; no import loop or upward import
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app tests bench .ci config.py wsgi.py
	$(BIN)/python .ci/view_length.py
	$(BIN)/python .ci/layers.py

format: install-dev ## Fix lint where safe and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format app tests bench .ci config.py wsgi.py

bench: install-dev ## Run the benchmarks (inbox; dashboard; a 100,000-row import; analysis; tone checks: quality, speed, 20 typists)
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/import_large.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/tone_eval.py
	$(BIN)/python bench/tone_speed.py
	$(BIN)/python bench/tone_load.py

models: install ## Retrain the shipped text models of every language (app/ml/models/<lang>) from ../shared/data and tests/data
	for name in $$($(BIN)/python -c 'from app.ml.train import RECIPES; print(*RECIPES)'); do \
	  $(BIN)/python -m app.ml.train $$name > /dev/null || exit 1; done

models-check: install-dev ## Retrain every shipped model and compare byte for byte (the suite retrains one per recipe)
	RETRAIN_ALL=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) tests/test_models.py -k "training_script_makes" $(PYTEST_ARGS)

lemmas: install ## Rewrite each language's lemma table (app/nlp/rules/<lang>/lemmas.tsv) after its rules change
	$(BIN)/python -m app.nlp.lemmas

# The screens' languages (Flask-Babel). The .po files are the translators'; the compiled .mo
# files are committed beside them (the app serves without a build step; tests/test_translations.py
# fails when one is older than its .po).
LOCALES = nl de es pl lv
CATALOGS = app/translations

messages: install ## Extract the marked strings into messages.pot and update each language's .po
	$(BIN)/pybabel extract -F $(CATALOGS)/babel.cfg -k _l -k lazy_gettext -k N_ -k Nn_:1,2 --no-location --no-wrap --sort-output \
	  --project Composure --copyright-holder Composure -o $(CATALOGS)/messages.pot .
	for lang in $(LOCALES); do \
	  if [ -f $(CATALOGS)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) -l $$lang --no-wrap; \
	  else $(BIN)/pybabel init -i $(CATALOGS)/messages.pot -d $(CATALOGS) -l $$lang --no-wrap; fi; \
	done

translations: install ## Compile each language's .po into the .mo the app reads (commit both)
	$(BIN)/pybabel compile -d $(CATALOGS) --statistics
	$(BIN)/pybabel compile -d $(CATALOGS) -D wtforms --statistics  # WTForms' own messages where it ships none (lv)

SCREENSHOT_DIR ?= /tmp/composure-screenshots
README_SHOTS = inbox-desktop editor-findings-desktop dashboard-desktop editor-work-desktop case-desktop

screenshots: install-dev ## Scan and photograph every screen at 1280 and 390 px; refresh the README's five
	SCREENSHOT_DIR=$(SCREENSHOT_DIR) $(BIN)/python -m pytest tests/browser/test_screens.py tests/browser/test_editor_work.py -q -p no:cacheprovider
	for name in $(README_SHOTS); do cp $(SCREENSHOT_DIR)/$$name.png docs/screenshots/; done

clean: ## Remove the virtual environment and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .ruff_cache
