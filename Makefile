# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv if it is missing and install the project with its test extra.
PYTHON ?= python3
# The suite runs on every core (pytest-xdist; -n auto is one worker more than cores, see
# tests/conftest.py); loadgroup keeps an xdist_group's tests on one worker (a shared costly
# fixture is built once). `make test PYTEST_ARGS=tests/test_cli.py` runs one file.
PYTEST_ARGS ?= -n auto --dist loadgroup
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test screenshots snapshots-update bench check clean sglang-verdicts

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@$(BIN)/dsv4 $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/dsv4 check

# Regenerate the snapshot baselines after a deliberate UI change.
snapshots-update: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_snapshots.py tests/test_snapshots_playground.py tests/test_snapshots_run.py --snapshot-update

# Write the README screenshots (SVG) to screenshots/.
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py
	$(BIN)/python tools/doctor_screenshot.py

# `make bench BEFORE=../other-checkout/src` measures another checkout in the same run, side by side.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_tui.py $(if $(BEFORE),--before $(BEFORE))

clean:
	rm -rf $(VENV) build dist *.egg-info

# The differential harness: SGLang 0.5.23's own parser and hooks judge the corpus (a throwaway
# venv in /tmp, never a dependency of dsv4); writes tests/data/sglang-verdicts.json.
sglang-verdicts: $(STAMP)
	$(BIN)/python tools/sglang_verdicts.py
