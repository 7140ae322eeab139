# The two commands (README): `make run` and `make test`. Both set themselves up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
BIND   ?= 127.0.0.1:8080
NODE_DIR   = tests/node
NODE_STAMP = $(NODE_DIR)/node_modules/.installed

.PHONY: run test install migrate demo bench clean fuzz chaos

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11, 5) else "wpcompat needs CPython 3.11.5 or newer (README, Which Python)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The JavaScript clients tests/test_node_clients.py drives (wpapi, @wordpress/api-fetch): reinstalled
# only when node_modules is missing or package-lock.json changed.
$(NODE_STAMP): $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund
	@touch $(NODE_STAMP)

## make run: virtualenv, install, migrate the SQLite database under var/, load the demo site, serve on $(BIND)
run: install
	$(BIN)/wpcompat migrate
	$(BIN)/wpcompat demo
	$(BIN)/wpcompat serve --bind $(BIND) --access-log

## make test: virtualenv, install (and tests/node's npm packages), make sure PostgreSQL answers (starting or installing it), run every test
test: install $(NODE_STAMP)
	scripts/ensure-postgres
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make fuzz: schemathesis against /wp-json/wpcompat/v1/openapi.json over a live gunicorn on PostgreSQL, as
## anonymous, subscriber, author and administrator of one clinic with another's data present; prints the figures
FUZZ_EXAMPLES ?= 25
fuzz: install
	scripts/ensure-postgres
	$(BIN)/python tests/hardening/fuzz.py --examples $(FUZZ_EXAMPLES)

## make chaos: 32 writers on a private PostgreSQL cluster restarted twice mid-load, then every fault test of
## tests/chaos (restarts, exhausted connections and pool, read-only/full/unreachable media store, an import
## killed with SIGKILL); prints the figures. Needs root for the tmpfs mounts (else those tests are skipped)
CHAOS_SECONDS ?= 30
chaos: install
	scripts/ensure-postgres
	$(BIN)/python bench/chaos.py --seconds $(CHAOS_SECONDS)

clean:
	rm -rf $(VENV) var .pytest_cache
