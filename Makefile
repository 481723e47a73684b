# The README's two commands: `make run` and `make test`. Everything they need, they install.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000
TEST_PROCESSES ?= 2

.PHONY: run test install lint format messages vendor bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# Dependencies from uv.lock, exactly; translations compiled. English is the source language
# (its entries stay empty and show the msgid), so only the Chinese catalog's count means anything.
install: | $(UV)
	$(UV) sync --frozen --quiet
	$(VENV)/bin/pybabel -q compile -d translations -l en
	set -o pipefail; $(VENV)/bin/pybabel compile --statistics -d translations -l zh_Hans_CN 2>&1 \
		| { grep -v '^compiling' || true; }

# The dev server, with the task worker (huey) beside it: pushes go out with no other command.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	PORT=$(PORT) scripts/run-dev.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (browser tests run once, on SQLite).
# Two processes each (pytest-xdist), every one with its own database and browser; a process
# that runs out of tests takes some of the other's, so both finish together.
test: lint
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest -q -n $(TEST_PROCESSES) --dist worksteal -m "not browser"
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest -q -n $(TEST_PROCESSES) --dist worksteal -m browser
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(VENV)/bin/pytest -q -n $(TEST_PROCESSES) --dist worksteal -m "not browser"; \
	fi

# Extract the strings the user sees and merge them into the .po files.
messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations \
		--ignore-obsolete

# Copy htmx from the pinned npm package into static/vendor and record its SHA-256.
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	printf '# Vendored front-end files: package, version, file, SHA-256. `make vendor` rewrites this.\n' \
		> static/vendor/VENDORED
	printf 'htmx.org %s htmx.min.js %s\n' \
		"$$(node -p 'require("./node_modules/htmx.org/package.json").version')" \
		"$$(sha256sum static/vendor/htmx.min.js | cut -d' ' -f1)" >> static/vendor/VENDORED

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache test-artifacts
