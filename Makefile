# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# `make run` is the one-machine mode: SQLite under var/, DEBUG on, and a Celery worker beside
# the web server taking tasks from a folder under var/ (no Redis); Ctrl-C stops both.
RUN_ENV := DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint venv test-deps migrate demo clean

# The installer is uv (pinned in requirements-installer.txt), not pip: it downloads in parallel and
# links from its cache, so a fresh virtualenv takes about half pip's time (BENCHMARKS.md, "CI time").
# The same pinned versions are installed; the Docker image keeps plain pip.
# --compile-bytecode as pip does: with PYTHONDONTWRITEBYTECODE set (this machine sets it) every
# process would otherwise compile Django, numpy, pandas... from source at each start.
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-installer.txt

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(UV) -r requirements.txt
	touch $@

$(VENV)/.requirements-test: requirements-test.txt $(VENV)/.requirements
	$(UV) -r requirements-test.txt
	touch $@

venv: $(VENV)/.requirements

test-deps: $(VENV)/.requirements-test

migrate: venv
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input

demo: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_demo

run: demo
	@echo ""
	@echo "  Review manager: http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password demo-review-2021): lead, reviewer1, reviewer2, extractor, viewer"
	@echo "  Background tasks (imports, ...) run in the Celery worker started with the server."
	@echo "  Admin: create a staff account with '$(BIN)/python manage.py createsuperuser' (DEBUG=1 set)"
	@echo "  E-mail (invitations, password resets) is printed in this terminal; EMAIL_URL sends it instead"
	@echo ""
	$(RUN_ENV) $(BIN)/python manage.py serve $(HOST):$(PORT)

# Static checks first: ruff (ruff.toml) and the layering contracts of DESIGN.md (.importlinter).
lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# Two passes: every test but those of the live Celery worker spread over TEST_WORKERS processes
# (each with its own test database), then the live worker's tests on the one database it uses.
# pytest's exit status 5 ("no tests collected") is no failure: PYTEST_ARGS may select one pass only.
# The parallel pass writes the files holding the live worker's tests (var/live-tests.txt, tests/conftest.py),
# so the live pass collects those instead of the whole suite; without the list it collects everything.
# The parallel pass lists its 40 slowest tests (set-up included), so CI's log says where its time goes.
# --dist loadgroup: the tests of the demo go to one worker, which builds it once (tests/snapshots.py).
TEST_WORKERS ?= auto
test: lint
	mkdir -p var && rm -f var/live-tests.txt
	LIVE_TESTS_LIST=var/live-tests.txt $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not live_worker" --durations=40 $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -m live_worker $$(cat var/live-tests.txt 2>/dev/null) $(PYTEST_ARGS) || [ $$? -eq 5 ]

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
