# PrintScout developer entry points. Every target bootstraps .venv from the pinned requirements.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp
DEBIAN_PACKAGES := snmp snmpd onesixtyone cups-ipp-utils fonts-dejavu-core fonts-droid-fallback \
	chromium

.PHONY: test demo bench soak lint typecheck check system-deps clean assets

$(STAMP): requirements/dev.txt requirements/runtime.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip==26.0.1 || true
	$(BIN)/python -m pip install -q -r requirements/dev.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Console assets: exact versions from package-lock.json, copied into the package (git-ignored).
VENDOR := src/printscout/web/static/vendor
ASSETS := $(VENDOR)/.stamp
$(ASSETS): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/uplot/dist/uPlot.iife.min.js \
	  node_modules/uplot/dist/uPlot.min.css node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	touch $(ASSETS)

assets: $(ASSETS)

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(ASSETS) system-deps lint typecheck
	$(BIN)/pytest -q -p no:cacheprovider

demo: $(STAMP) $(ASSETS)
	$(BIN)/python -m printscout.cli.demo

bench: $(STAMP) $(ASSETS) system-deps
	$(BIN)/python -m bench.run --out bench/results.json
	$(BIN)/python -m bench.ingest --out bench/ingest.json
	$(BIN)/python -m bench.traffic --out bench/traffic.json
	$(BIN)/python -m bench.console --out bench/console.json
	$(BIN)/python -m bench.api --out bench/api.json
	$(BIN)/python -m bench.reports --out bench/reports.json

# Long runs (issue 8): a million fuzz inputs per decoder, and the collector at 1k/5k/10k printers.
soak: $(STAMP) $(ASSETS) system-deps
	$(BIN)/python -m bench.fuzz --out bench/fuzz.json
	$(BIN)/python -m bench.load --out bench/load.json

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info node_modules $(VENDOR)
