import sys
from pathlib import Path

# let the tests import their helpers (notebook_solutions) as plain modules
sys.path.insert(0, str(Path(__file__).parent))

# stop at once, with one message, when the chapters need WikiText-2 and it is missing
from corpus_check import pytest_collection_finish  # noqa: E402,F401

import pytest  # noqa: E402

from small_runs import write_text_corpus  # noqa: E402


@pytest.fixture
def text_corpus(tmp_path):
    """A small text corpus for the command line (see tests/small_runs.py)."""
    return write_text_corpus(tmp_path / "corpus.txt")
