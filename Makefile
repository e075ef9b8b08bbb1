# Assay: two commands do all set-up on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-postgres lint format bench clean

$(STAMP): pyproject.toml
	@echo "Installing Assay and its dependencies into $(VENV) (about 2 minutes the first time)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $(STAMP)

## run: install, migrate the SQLite database, load demo data when empty, serve on :8000 with a
## local mail catcher (every email kept in var/mail/, readable on Settings → Outbox)
run: $(STAMP)
	$(BIN)/assay db upgrade
	$(BIN)/assay demo --if-empty
	@echo "Serving Assay on http://127.0.0.1:8000 (emails stay on this machine: Settings → Outbox)"
	$(BIN)/assay serve --host 127.0.0.1 --port 8000 --mail-catcher

# Test processes (pytest-xdist): each has its own databases, data directories and ports.
# TEST_WORKERS=0 runs in this process. Test by test (`--dist load`): the grouping modes key work
# by test id, and the schemathesis cases share one id, so all but one of them would be skipped.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist load

## test: the whole suite (browser journeys skip with a note where Chromium is missing)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST)

## test-postgres: the whole suite against the PostgreSQL server at 127.0.0.1:5432
test-postgres: $(STAMP)
	ASSAY_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(PYTEST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: performance against same-run baselines; results in bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
