# One virtualenv (.venv) serves every target; the first target run creates it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SEED_PAGE := tests/site/pages/syria-assad-troops-advance-in-homs.html
SEED_URL := https://eng-archive.aawsat.com/theaawsat/news-middle-east/syria-assad-troops-advance-in-homs

.PHONY: setup demo extract-example test lint bench run serve deploy worker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/archive demo

extract-example: setup
	$(BIN)/archive extract $(SEED_PAGE) --url $(SEED_URL)

run: setup
	$(BIN)/archive crawl --site aawsat

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two test processes (pytest-xdist), each taking whole files: most end-to-end
# tests wait on servers and crawls, so two share the two cores well.
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

# The fast loop: pure tests only, in seconds; no server, crawl, database or ../shared.
.PHONY: unit
unit: setup
	$(BIN)/pytest -q -m "not integration and not slow"

bench: setup
	$(BIN)/python bench/extract_quality.py
	$(BIN)/python bench/wcxb_quality.py
	$(BIN)/python bench/extract_speed.py
	$(BIN)/python bench/backfill_scaling.py
	$(BIN)/python bench/incremental.py
	$(BIN)/python bench/reextract.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/crawl_throughput.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/sitemap_bounds.py

# Prefect: serve every deployment from one process, or deploy to a work pool.
serve: setup
	$(BIN)/archive serve

# Both need the API the deployments live on: without it Prefect would use a
# temporary one of its own that nothing else sees.
NEEDS_API = @test -n "$$PREFECT_API_URL" || { echo "make $@: set PREFECT_API_URL to your Prefect server's API (http://127.0.0.1:4200/api for prefect server start)" >&2; exit 1; }

deploy: setup
	$(NEEDS_API)
	$(BIN)/prefect work-pool create archive --type process --overwrite
	ARCHIVE_HOME=$(CURDIR) $(BIN)/prefect --no-prompt deploy --all

worker: setup
	$(NEEDS_API)
	$(BIN)/prefect worker start --pool archive

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
