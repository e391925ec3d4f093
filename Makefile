# The two README commands. Each bootstraps .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck pytest bench clean

$(STAMP): pyproject.toml Makefile
	@if command -v uv >/dev/null 2>&1; then \
		uv venv --quiet --allow-existing --python $(PYTHON) $(VENV); \
		uv pip install --quiet --python $(BIN)/python -e '.[dev]'; \
	else \
		$(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check uv; \
		$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'; \
	fi
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

demo: $(STAMP)
	$(BIN)/tagship demo

bench: $(STAMP)
	$(BIN)/python bench/cli_start.py
	$(BIN)/python bench/build.py
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache dist
