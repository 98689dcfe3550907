"""Is WikiText-2 there for the chapters that train on it? Ask once, before any of them
runs, and answer with one message that says where it looked and what to do.

    python tests/corpus_check.py chapters/*.ipynb    # exit 3 with the message, or 0
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

# a chapter that reads WikiText names the module that reads it
MARKER = "w2v_lib.wikitext"


def needs_wikitext(notebook: Path) -> bool:
    return MARKER in Path(notebook).read_text(encoding="utf-8")


def missing_corpus_message(notebooks: Iterable[Path]) -> str | None:
    """``None`` when WikiText-2 is there (downloading it first if needed) or when none
    of ``notebooks`` reads it; else the one message that explains what is missing."""
    readers = sorted({Path(n).name for n in notebooks if needs_wikitext(Path(n))})
    if not readers:
        return None
    from w2v_lib import wikitext

    try:
        for split in wikitext.SPLITS:
            wikitext.wikitext_path("wikitext-2", split)
    except (OSError, ValueError) as error:
        return (f"WikiText-2 is needed by {', '.join(readers)} and is not available, "
                f"so no chapter was run.\n\n{error}")
    return None


def pytest_collection_finish(session) -> None:
    """A pytest hook (tests/conftest.py uses it): stop the run at once, with one clear
    message, when notebooks that train on WikiText-2 are about to run and the corpus
    can neither be found nor downloaded. Otherwise every such notebook fails, each
    cell after the first with a follow-on error that buries the useful one."""
    import pytest

    notebooks = [item.path for item in session.items if str(item.path).endswith(".ipynb")]
    message = missing_corpus_message(notebooks) if notebooks else None
    if message:
        pytest.exit(message, returncode=3)


if __name__ == "__main__":
    message = missing_corpus_message(Path(arg) for arg in sys.argv[1:])
    if message:
        print(message, file=sys.stderr)
        sys.exit(3)
