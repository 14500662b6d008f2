# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PEOPLE ?= 10000
SEED ?= 7

export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# dagster dev and dagster-dbt call `dbt` by name: the venv's own must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run test ui docs lint bench generate clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

generate: $(STAMP)
	$(BIN)/cw generate --people $(PEOPLE) --seed $(SEED)

# `cw generate` writes the demo landing files afresh, under the names the last run may have typed
# already: the run rebuilds from all of them (docs/incremental-processing.md).
run: $(STAMP)
	$(BIN)/cw generate --people $(PEOPLE) --seed $(SEED)
	$(BIN)/cw run --full-refresh

# On every core (pytest-xdist, docs/test-suite.md); the slowest tests are listed at the end, to
# keep the suite within its time budget.
test: $(STAMP)
	$(BIN)/pytest --durations=25

ui: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -m orchestration.definitions

docs: $(STAMP)
	$(BIN)/dbt docs generate && $(BIN)/dbt docs serve

lint: $(STAMP)
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	$(BIN)/sqlfluff lint models macros

# The whole job per stage at each size (median of the repeats, peak memory, cost as a multiple of
# one raw scan; results in benchmarks/results/): 10,000 and 100,000 people three times each, a
# million people once (about an hour on 2 cores, plus 25 minutes to generate the data once; kept
# in data/bench/). Then identity resolution alone on about a million source records, beside
# Splink alone, median of the repeats. Between them, a full run against a daily incremental run with 1% new and
# changed records, at the small sizes (docs/incremental-processing.md).
BENCH_PEOPLE ?= 10000 100000
BENCH_REPEAT ?= 3
BENCH_LARGE_PEOPLE ?= 1000000
BENCH_LARGE_REPEAT ?= 1
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py --people $(BENCH_PEOPLE) --repeat $(BENCH_REPEAT)
	$(BIN)/python benchmarks/bench_incremental.py --people $(BENCH_PEOPLE) --repeat $(BENCH_REPEAT)
	$(BIN)/python benchmarks/bench_run.py --people $(BENCH_LARGE_PEOPLE) --repeat $(BENCH_LARGE_REPEAT)
	$(BIN)/python benchmarks/bench_identity.py --people 195000 --repeat $(BENCH_REPEAT)

clean:
	rm -rf target logs data .dagster_home
