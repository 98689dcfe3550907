# The two commands of the course:
#   make book   build the HTML book into _build/html (warnings are errors)
#   make test   run the unit tests and every chapter notebook with pytest --nbval
# Each sets up .venv on its first run and reuses it afterwards.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is installed first and on its own, so that nothing else pulls in a different build.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: book test clean

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

# W2V_SCALE=test makes every notebook run at its tiny test scale.
test: $(STAMP)
	W2V_SCALE=test $(BIN)/python -m pytest tests --nbval chapters \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

clean:
	rm -rf _build $(VENV)
