# One-command set-up: `make book` builds the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8000

.PHONY: book exercises ruff lint test quick serve clean help pdf axe

help:
	@echo "make book   - create .venv, install pins, build the HTML into _build/html"
	@echo "make test   - everything: unit, data, full build, browser and grading tests"
	@echo "make quick  - ruff (code and cells), then the fast tests on two cores (no build, browser or grading runs)"
	@echo "make lint   - ruff (code and chapter cells), ruff format --check, mypy"
	@echo "make serve  - serve _build/html on http://127.0.0.1:$(PORT)"
	@echo "make pdf    - print the whole book to _build/pdf/book.pdf (needs chromium)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# make skips the exercise build (and its Python start-up) when no input changed; the
# command itself also skips each assignment whose master and data are unchanged.
EXERCISE_STAMP := _build/exercises/.make-stamp
EXERCISE_INPUTS := $(shell find exercises data -type f 2>/dev/null) $(wildcard course/*.py course/exercises/*) requirements.txt

$(EXERCISE_STAMP): $(STAMP) $(EXERCISE_INPUTS)
	$(PY) -m course exercises build
	@touch $@

exercises: $(EXERCISE_STAMP)

book: exercises
	$(JB) build . -n -W --keep-going

# make quick runs the ruff checks only; make lint (and so make test) adds mypy, whose first run
# in a fresh clone takes about 40 s.
ruff: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m course.book.cells --check

lint: ruff
	$(VENV)/bin/mypy

# axe-core for the accessibility test: the exact version in tests/browser/package-lock.json
# (integrity-checked by npm ci), installed outside the site. Without npm the test skips
# locally and fails under CI=true.
TOOLS := _build/tools
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(TOOLS) && cp tests/browser/package.json tests/browser/package-lock.json $(TOOLS)/ && \
	  cd $(TOOLS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else \
	  echo "npm not found: the accessibility test will skip (and fail under CI=true)"; \
	fi

axe: $(AXE)

# --durations: the slowest tests in every log, so the suite's time budget stays visible.
# -n 2 --dist loadgroup: two workers share one background exercise and book build
# (tests/fixtures/build.py); the browser tests stay on one worker, in the order tests/conftest.py
# gives (so --no-loadscope-reorder).
test: lint axe
	$(PY) -m pytest -n 2 --dist loadgroup --no-loadscope-reorder --durations=25

quick: ruff
	$(PY) -m pytest -m "not slow" -n 2 --hypothesis-profile=quick

# The print edition: one singlehtml page printed by headless Chromium (course/book/pdf.py).
pdf: $(DEV_STAMP) exercises
	$(JB) build . --builder singlehtml -n -W --keep-going
	$(PY) -m course.book.pdf --html _build/singlehtml --out _build/pdf/book.pdf

serve:
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build
