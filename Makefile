# The two commands of README.md: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# WeasyPrint renders the PDFs with Pango; DejaVu covers German letters. pysaml2 signs and checks with xmlsec1.
# The tests scan attachments with a real ClamAV daemon (clamd) of their own.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1 clamav-daemon

.PHONY: setup system-packages studio demo test bench

system-packages:
	@command -v dpkg >/dev/null || exit 0; \
	missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	else echo "Bitte installieren Sie: sudo apt-get install $$missing"; exit 1; fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The studio's modeler (bpmn-js, pinned in package-lock.json) is built into webui/static/studio/ when its
# sources change; without npm everything else still works and the studio page says the modeler is not built.
STUDIO := webui/studio/frontend
STUDIO_BUNDLE := webui/static/studio/studio.js
studio:
	@if command -v npm >/dev/null; then $(MAKE) -s --no-print-directory $(STUDIO_BUNDLE); \
	else echo "Hinweis: npm fehlt, der Modeler des Studios wird nicht gebaut (bitte Node.js 20 mit npm installieren)."; fi

$(STUDIO_BUNDLE): $(STUDIO)/package-lock.json $(STUDIO)/build.mjs $(wildcard $(STUDIO)/src/*.js $(STUDIO)/moddle/*.json $(STUDIO)/*.css)
	cd $(STUDIO) && npm ci --silent --no-audit --no-fund && node build.mjs

setup: system-packages $(STAMP) studio

# Embedded default: a SQLite file in the working directory, web UI on http://127.0.0.1:5000
# The demo picker (one click per demo account) exists only in demo mode.
demo: export AMTSWEG_MODE = demo
demo: setup
	$(VENV)/bin/amtsweg db upgrade
	$(VENV)/bin/amtsweg demo
	$(VENV)/bin/amtsweg serve --host 127.0.0.1 --port 5000 --mail-sink

# SQLite always; PostgreSQL too when AMTSWEG_TEST_POSTGRES_URL is set (.ci/run sets it).
test: setup
	$(PY) -m pytest -q

bench: setup
	$(VENV)/bin/amtsweg bench
