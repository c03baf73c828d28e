# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= vigie.db

.PHONY: run test check lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[stories,understand,serve,parquet,postgres,dask,dev]'
	touch $(STAMP)

run: $(STAMP)
	rm -f sample.db sample.db-wal sample.db-shm
	$(BIN)/vigie ingest examples/seeds --db sample.db
	$(BIN)/vigie articles --db sample.db
	$(BIN)/vigie stories --db sample.db
	$(BIN)/vigie serve --db sample.db

lint: $(STAMP)
	$(BIN)/ruff check src tests eval bench train
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

check: lint  # the fast loop: everything but the tests marked slow (see tests/conftest.py)
	$(BIN)/pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python bench/bench_clean.py --size 10000
	$(BIN)/vigie bench --size 10000

eval: $(STAMP)
	$(BIN)/python eval/eval_html.py
	$(BIN)/python eval/eval_textdump.py
	$(BIN)/python eval/eval_stories.py
	$(BIN)/python eval/eval_summaries.py
	$(BIN)/python eval/eval_chronology.py
	$(BIN)/python eval/eval_quotes.py --lang all
	$(BIN)/python eval/eval_entities.py
	$(BIN)/python eval/eval_titles.py

clean:
	rm -rf $(VENV) sample.db* .pytest_cache .mypy_cache .ruff_cache
