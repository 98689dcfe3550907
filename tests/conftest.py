import sys
from pathlib import Path

# let the tests import their helpers (notebook_solutions) as plain modules
sys.path.insert(0, str(Path(__file__).parent))

# stop at once, with one message, when the chapters need WikiText-2 and it is missing
from corpus_check import pytest_collection_finish  # noqa: E402,F401
