# Two commands: `make demo` (set up .venv and run the main job) and `make test` (set up and run the tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench

$(BIN)/skateboard: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(BIN)/skateboard

setup: $(BIN)/skateboard

demo: setup
	$(BIN)/skateboard evaluate

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/engine_vs_fastsim.py --quick
