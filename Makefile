# The two commands of README.md: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

# Embedded default: a SQLite file in the working directory, web UI on http://127.0.0.1:5000
demo: setup
	$(PY) -m engine db upgrade
	$(PY) -m engine demo
	$(PY) -m engine serve --host 127.0.0.1 --port 5000

# SQLite always; PostgreSQL too when AMTSWEG_TEST_POSTGRES_URL is set (.ci/run sets it).
test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) -m engine bench
