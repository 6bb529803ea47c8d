# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL run uses DATABASE_URL when it names a PostgreSQL database.
PG_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/maturity)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-sqlite test-postgres test-browser check fix venv browser-deps lock bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## Build the embedded database with the real reference data and demonstration returns, then serve.
demo: venv
	MATURITY_ENV=demo $(BIN)/maturity demo --no-serve
	MATURITY_ENV=demo HOST=$(HOST) PORT=$(PORT) $(BIN)/maturity serve

## Lint, migrations check, then the whole suite on SQLite and PostgreSQL, with browser tests.
test: venv browser-deps check test-sqlite test-postgres

check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MATURITY_ENV=test $(BIN)/maturity makemigrations --check --dry-run

test-sqlite: venv browser-deps
	MATURITY_ENV=test DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -n 2 -p xdist

test-postgres: venv
	@psql "$(PG_URL)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres maturity
	MATURITY_ENV=test DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -p xdist -m "not browser"

# Debian packages: chromium for the browser tests, Pango for WeasyPrint's PDFs.
browser-deps: node_modules/.installed
	@if ! command -v chromium >/dev/null 2>&1 || ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  echo "Installing Debian packages: chromium, Pango"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

fix: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock:
	uv pip compile pyproject.toml --extra test -o requirements.lock --python-version 3.11 --no-header

## Benchmarks (bench/, written up in docs/benchmarks.md) on the national data set in BENCH_URL.
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/maturity_bench
bench: venv
	DATABASE_URL=$(BENCH_URL) BIN=$(BIN) bench/prepare.sh
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/national.py --out var/bench/national-postgres.json
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/load.py --think 5 --no-kill --out var/bench/load-steady.json
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/load.py --think 2 --out var/bench/load-kill.json
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/load.py --think 0.5 --no-kill --out var/bench/load-saturated.json
	$(BIN)/python bench/dashboard.py --repeat 3 --sample 100 --out var/bench/dashboard-sqlite.json

clean:
	rm -rf $(VENV) node_modules var
