# The two commands of the course:
#   make book   build the HTML book into _build/html (warnings are errors)
#   make test   run the unit tests, then every chapter notebook with pytest --nbval the
#               way a learner gets it: w2v_lib installed from a git URL of this
#               repository into a fresh environment, the chapters run from a folder
#               outside the checkout (tests/learner_path.sh)
# Each sets up .venv on its first run and reuses it afterwards.
#
# For maintainers:
#   make unit-test      the unit tests alone
#   make learner-test   the chapters alone, as make test runs them
#   make outputs        run chapters at the cpu scale and store their outputs, which the
#                       book shows: make outputs NOTEBOOKS=chapters/05_subsampling_recipe.ipynb

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is installed first and on its own, so that nothing else pulls in a different build.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: book test unit-test learner-test outputs clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -W --keep-going
	@echo "The book is in _build/html/index.html"

test: unit-test learner-test

unit-test: $(STAMP)
	$(BIN)/python -m pytest tests -p no:cacheprovider

# W2V_SCALE=test (set by the script) makes every notebook run at its tiny test scale.
learner-test:
	PYTHON=$(PYTHON) TORCH_SPEC="$(TORCH_SPEC)" bash tests/learner_path.sh

NOTEBOOKS ?= $(sort $(wildcard chapters/*.ipynb))
outputs: $(STAMP)
	$(BIN)/python tests/store_outputs.py --scale cpu $(NOTEBOOKS)

clean:
	rm -rf _build $(VENV)
