# ILMIS Learn — `make run` starts a trial on SQLite, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install system-deps browser-deps lint messages clean

$(BIN)/python:
	@if ! $(PYTHON) -c "import ensurepip" 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; \
	  else echo "Missing venv support: run  sudo apt-get install -y python3-venv"; exit 1; fi; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e '.[test]'

# WeasyPrint needs Pango; the browser tests need Debian's Chromium.
system-deps:
	@if ! ldconfig -p | grep -q libpango-1.0; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; \
	  else echo "Missing Pango: run  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; exit 1; fi; fi

browser-deps:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Missing Chromium: run  sudo apt-get install -y chromium"; exit 1; fi; fi

run: install
	$(BIN)/ilmis migrate --noinput
	$(BIN)/ilmis createcachetable
	$(BIN)/ilmis demo
	@echo "ILMIS Learn on http://$(HOST)/ — Ctrl-C stops the web server and the queue."
	@trap 'kill 0' INT TERM EXIT; $(BIN)/ilmis run_huey --quiet & $(BIN)/ilmis runserver $(HOST); wait

test: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages:
	cd ilmis && ../$(BIN)/ilmis makemessages -l en --no-obsolete && ../$(BIN)/ilmis compilemessages -l en

clean:
	rm -rf $(VENV) var build *.egg-info
