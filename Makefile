# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install  ## the whole stack on embedded defaults
	$(BIN)/rollout up

test: install  ## the full suite against real NATS, SQLite and PostgreSQL
	./deploy/scripts/ensure-postgres.sh
	./deploy/scripts/ensure-chromium.sh
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy shared services cli
	$(BIN)/lint-imports

bench: install  ## append, rebuild and the request path vs bare baselines; writes var/bench/results.json
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m bench.run

demo: install  ## the stack in the background (make run), then a seeded demo DSO driven through the HTTP API
	mkdir -p var
	$(BIN)/rollout up > var/demo-stack.log 2>&1 & echo $$! > var/demo-stack.pid
	$(BIN)/rollout demo --wait 180
	@echo "The console: http://127.0.0.1:8000/ (sign in to org demo-dso). The stack keeps running (pid $$(cat var/demo-stack.pid), log var/demo-stack.log); the API: http://127.0.0.1:8000/docs"

clean:
	rm -rf var .pytest_cache
