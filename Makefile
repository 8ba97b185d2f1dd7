# Two commands on a fresh Debian machine: `make demo` and `make test`.
# Both build .venv and install what they need themselves.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DB ?= chatlift.duckdb
SIZE ?= medium
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: demo test bench docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing; installing it with apt"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv python3-pip && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

## demo: install, generate a year of demo data into $(DB), print the headline report, then serve the
## dashboard and API (the login "demo" gets a new password, printed once) until Ctrl-C
demo: $(STAMP)
	$(VENV)/bin/chatlift demo --size $(SIZE) --db $(DB) --replace
	@echo "Dashboard login: demo / password:"
	@$(VENV)/bin/chatlift users add demo --db $(DB) --generate-password --reset
	$(VENV)/bin/chatlift serve --db $(DB) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded at run time)
$(CHROMIUM):
	@echo "Chromium is missing (the dashboard tests drive it); installing Debian's package"
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium

## test: install, check style and types, and run every test
test: $(STAMP) $(CHROMIUM)
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy src tests
	$(PY) -m pytest -q

## bench: run the benchmarks (figures go to stdout; record them in docs/performance.md)
bench: $(STAMP)
	$(PY) bench/import_throughput.py
	$(PY) bench/vendor_import.py
	$(PY) bench/demo_generation.py --size large
	$(PY) bench/report.py --conversations 1000000
	$(PY) bench/report.py --conversations 10000000 --repeat 2 --no-pandas

## docs: regenerate the generated reference pages
docs: $(STAMP)
	$(PY) -m chatlift.docgen

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info .pytest_cache
