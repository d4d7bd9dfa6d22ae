# relancelib — set-up and checks. Everything installs from scratch on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Debian packages WeasyPrint needs to lay out PDF letters (Pango and fonts), Chromium for the
# test that renders the insight report in a real headless browser, poppler-utils to render
# letters to PNG, and PostgreSQL (the tests start a throwaway cluster for the journal).
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core chromium poppler-utils postgresql

.PHONY: demo test soak lint typecheck venv install install-test system-deps bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(PY)

install: $(PY)
	$(PY) -m pip install --quiet -e '.[pdf]'

install-test: $(PY) system-deps
	$(PY) -m pip install --quiet -e '.[test]'

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: install system-deps
	$(BIN)/relance demo

test: install-test
	$(BIN)/ruff check src tests benchmarks docs/notebooks
	$(BIN)/mypy --strict src/relancelib
	$(BIN)/pytest

# The crash, race and SMTP tests with many more trials (nightly).
soak: install-test
	RELANCE_CRASH_TRIALS=500 RELANCE_FUZZ_EXAMPLES=2000 $(BIN)/pytest -s tests/test_crash.py tests/test_smtp.py tests/test_fuzz.py

bench: install-test
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/render.py
	$(PY) benchmarks/reports.py
	$(PY) benchmarks/io.py
	$(PY) benchmarks/journal_growth.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache relance-demo
