# The two README commands (and `make docs`). Each bootstraps .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck docs pytest bench bytecode clean gitlab-ci-local

# Installed with bytecode, as pip installs by default (uv does not): with
# PYTHONDONTWRITEBYTECODE set, as on CI machines, every start would compile from source.
$(STAMP): pyproject.toml Makefile
	@if command -v uv >/dev/null 2>&1; then \
		uv venv --quiet --allow-existing --python $(PYTHON) $(VENV); \
		uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'; \
	else \
		$(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check uv; \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'; \
	fi
	@touch $(STAMP)

# the editable install's own sources, compiled again whenever one changed
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# gitlab-ci-local and the Node 22 it runs on, pinned and hash-checked by tools/node/package-lock.json:
# the GitLab pipeline tests run .gitlab-ci.yml with it (tests/gitlab_ci_local.py)
NODE_TOOLS := .tools/node
$(NODE_TOOLS)/.installed: tools/node/package-lock.json tools/node/npm_ci.py
	@$(PYTHON) tools/node/npm_ci.py $(NODE_TOOLS)
	@touch $@

gitlab-ci-local: $(NODE_TOOLS)/.installed

# one worker per core: most tests wait on servers, builds and installers, not the CPU;
# under make the GitLab pipeline tests fail, not skip, when gitlab-ci-local is missing.
# Tests are handed out two at a time, the slow ones first (tests/conftest.py), so the workers
# finish together (--dist loadgroup would not help: xdist 3.8 cannot group under pytest 9.2)
pytest: bytecode gitlab-ci-local
	GITLAB_CI_LOCAL_REQUIRED=1 $(BIN)/pytest -n auto --maxschedchunk 2

# the documentation site; a warning (a broken link, a reference that resolves nowhere) fails it
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -n -q -b html docs docs/_build/html

test: lint typecheck docs pytest

demo: bytecode
	$(BIN)/tagship demo

bench: bytecode
	$(BIN)/python bench/cli_start.py
	$(BIN)/python bench/build.py
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf $(VENV) .tools .mypy_cache .pytest_cache .ruff_cache dist docs/_build
