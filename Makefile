# frontwatch: the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= frontwatch.db
DAY    ?= 2022-10-01
export FRONTWATCH_CACHE_DIR ?= $(CURDIR)/.cache/frontwatch

.PHONY: demo test install install-test system-deps lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Everything the tests need from Debian: PostgreSQL, Chromium, a Java runtime for Spark.
system-deps:
	bash scripts/system-deps.sh

demo: install
	$(BIN)/frontwatch ingest frontwatch/data/samples --db $(DB)
	$(BIN)/frontwatch events --db $(DB) --limit 40
	$(BIN)/frontwatch report --db $(DB) --on $(DAY) --out report
	@echo "Serve the web map with: $(BIN)/frontwatch serve --db $(DB)  (then open http://127.0.0.1:8000/)"

test: install-test system-deps
	bash scripts/run-tests.sh

lint: install-test
	$(BIN)/ruff check frontwatch tests bench

bench: install-test
	$(BIN)/python bench/throughput.py ../shared/data/news-2022-08-20_31.jsonl

clean:
	-bash scripts/pg-test-server.sh stop >/dev/null 2>&1
	rm -rf $(VENV) .cache .pgtest test-artifacts report $(DB) $(DB)-wal $(DB)-shm
