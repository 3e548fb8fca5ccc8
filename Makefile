# kiemdiem — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run` needs only what the app runs on; `make test` adds the test tools.
RUN_STAMP := $(VENV)/.installed-runtime
PORT ?= 5000
# The booth's audited npm packages (package-lock.json), installed by npm ci.
NODE_STAMP := node_modules/.installed
export KIEMDIEM_DATABASE_URL ?= sqlite:///instance/kiemdiem.db

.PHONY: run test lint typecheck pytest bench bench-province bench-province-build install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# `make run PORT=8080` serves on another port; the demo logins (the administrator's
# too) are shown as a table with the address to sign in at, on every start.
run: $(RUN_STAMP) $(NODE_STAMP)
	@mkdir -p instance
	@if [ ! -f instance/trust-root.json ]; then \
		$(BIN)/kiemdiem init --demo </dev/null >/dev/null; \
	fi
	@$(BIN)/kiemdiem logins --url http://127.0.0.1:$(PORT)/auth/login || true
	$(BIN)/kiemdiem serve --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

test: $(NODE_STAMP) lint typecheck pytest

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m bench

# The province load test (issue 14): PROVINCE_MEMBERS, PROVINCE_SEED,
# PROVINCE_DURATION (seconds per concurrency level); one table per backend of
# PROVINCE_BACKENDS (KIEMDIEM_BENCH_BACKEND=sqlite for SQLite alone).
PROVINCE_MEMBERS ?= 1000
PROVINCE_SEED ?= 2025
PROVINCE_DURATION ?= 10
BOTH_BACKENDS := sqlite,postgres
PROVINCE_BACKENDS ?= $(or $(KIEMDIEM_BENCH_BACKEND),$(BOTH_BACKENDS))
bench-province: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m bench.province --members $(PROVINCE_MEMBERS) \
		--seed $(PROVINCE_SEED) --duration $(PROVINCE_DURATION) \
		--backend $(PROVINCE_BACKENDS)

# The province generator's write side (issue 14): phase by phase, commands/s and
# members/s, beside the unbatched generator and plain eventsourcing in the same
# run; KIEMDIEM_BENCH_BACKEND=postgres for PostgreSQL.
bench-province-build: $(STAMP)
	$(BIN)/python -m bench.province_build --members $(PROVINCE_MEMBERS) \
		--seed $(PROVINCE_SEED) --compare

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
