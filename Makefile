# citeqa: `make serve` and `make test` work on a fresh machine (Debian 12, Python 3.11).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

# llama-cpp-python (the `llm` extra) builds from source, about 6 minutes; its default native
# build crashed on the CPUs we run on, so the instruction sets are named. AVX-512 stays off:
# on a CPU without it (some of ours), loading a model built with GGML_AVX512=ON dies of an
# illegal instruction. LLAVA_BUILD=OFF skips the multimodal library we do not use. pip reuses
# a wheel it built before whatever CMAKE_ARGS say: after changing them, rebuild with
# `pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python==0.3.36`.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DLLAVA_BUILD=OFF

# Test processes: each loads the models (about 2 GiB) and runs a whole test file at a time.
PYTEST_WORKERS ?= 2

.PHONY: install serve index test check lint typecheck pytest pytest-fast bench clean

install: $(STAMP)

# The milvus extra brings Milvus Lite 2.5, the engine tests/*/test_backends.py and
# tests/api/test_replicas.py start (see pyproject.toml for its pins); the ray extra brings
# Ray Data, whose local cluster tests/index/ray starts.
# torch first and pinned: these machines hold a local CPU wheel of 2.13.0; letting
# sentence-transformers pull torch itself would download a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install --quiet -e '.[dev,bench,llm,milvus,ray]'
	# The widget tests drive Debian's Chromium (never `playwright install`); the speed and
	# load benchmarks (and their smoke tests) drive wrk.
	test -x /usr/bin/chromium -a -x /usr/bin/wrk || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk)
	touch $(STAMP)

index: install
	$(BIN)/citeqa index

serve: index
	$(BIN)/citeqa serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# The tests that load no real model, start no server and build no index (`slow` marks the
# others, see tests/conftest.py): a few minutes, for every change.
pytest-fast: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not slow"

test: lint typecheck pytest

check: lint typecheck pytest-fast

clean:
	rm -rf $(VENV) .citeqa .mypy_cache .ruff_cache .pytest_cache
