# Set-up and the two README commands. torch is pinned first so pip takes the local CPU wheel
# instead of resolving a newer CUDA build.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test venv bench lint fixtures

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

venv: $(BIN)/.installed

demo: venv
	$(BIN)/python examples/lenet_digits.py

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check tensorweave tests benchmarks tools

bench: venv
	$(BIN)/python benchmarks/run.py --tf "$$(../shared/tools/tf-oracle --python)"

fixtures:
	../shared/tools/tf-oracle tools/record_fixtures.py
