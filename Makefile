# The two commands: `make run` serves the app with demo data; `make test` runs every test.
# Both install what they need first. Stamps live inside .venv and node_modules, so deleting
# either folder makes the next run install again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GOVUK := node_modules/govuk-frontend/dist/govuk
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails and calendar invitations: the address `make run` serves, unless given.
BASE_URL ?= http://$(HOST):$(PORT)
# setuptools always adds an "Editable installation" note to an editable install; nothing else
# it says is hidden, so a real packaging warning still shows.
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet

.PHONY: run test bench lint assets install install-dev clean

run: $(VENV)/.installed static/govuk/.installed
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi demo-data
	@echo "Starting the web app on http://$(HOST):$(PORT) and the scheduler; Ctrl-C stops both."
	@echo "Links in emails go to $(BASE_URL)."
	trap 'kill 0' INT TERM EXIT; export BASE_URL='$(BASE_URL)'; \
	$(BIN)/flask --app wsgi scheduler & \
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# The suite runs on every CPU (pytest-xdist, one worker process each); PYTEST_WORKERS=0 runs it
# in this one process. Work-stealing evens out the long tests (browser journeys, PDFs): a worker
# that runs out of tests takes some from the other's queue.
PYTEST_WORKERS ?= auto

test: $(VENV)/.installed-dev static/govuk/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The benchmark (bench/run.py, README): wrk from Debian's packages and PostgreSQL on
# 127.0.0.1:5432, started here if it is installed but stopped. BENCH_ARGS passes options.
# py-spy (a dev dependency) samples a worker to say where each page's time goes: it must be
# allowed to read another process (root, or CAP_SYS_PTRACE); if not, the report says so.
bench: $(VENV)/.installed-dev static/govuk/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	pg_isready -q -h 127.0.0.1 -p 5432 || \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -1)" main start
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Style (ruff) and the house's shape: layers, no package importing another's views, no import
# cycles (import-linter's contracts in setup.cfg).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check moderation tests bench
	$(BIN)/lint-imports --no-cache

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
assets: static/govuk/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python setup.cfg pyproject.toml
	$(PIP_INSTALL) -e '.[dev]'
	touch $@ $(VENV)/.installed

# --ignore-scripts: nothing from npm runs at install (sass's optional file watcher has a build
# script, and `sass` here never watches).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# GOV.UK Frontend for /static/govuk (CSS, JS) and /assets (images). The CSS is compiled from its
# Sass with a system font stack (static/scss/govuk-frontend.scss): the precompiled one declares
# GDS Transport, licensed for GOV.UK only, so neither it nor the font files are served.
static/govuk/.installed: node_modules/.installed static/scss/govuk-frontend.scss
	rm -rf static/govuk
	mkdir -p static/govuk/assets
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		static/scss/govuk-frontend.scss static/govuk/govuk-frontend.min.css
	cp -R $(GOVUK)/govuk-frontend.min.js static/govuk/
	cp -R $(GOVUK)/assets/images $(GOVUK)/assets/manifest.json static/govuk/assets/
	touch $@

clean:
	rm -rf $(VENV) node_modules static/govuk .pytest_cache .ruff_cache
