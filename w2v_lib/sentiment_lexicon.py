"""The VADER sentiment lexicon: about 7,500 words rated by people (chapter 9).

VADER (Hutto and Gilbert, 2014) is a rule-based sentiment analyser whose lexicon was
rated by people: each entry was scored by ten raters on a scale from -4 (extremely
negative) to +4 (extremely positive), and the file keeps the mean, the standard
deviation and the ten ratings. It ships inside the ``vaderSentiment`` package (MIT
licence), so it is available offline once the package is installed. We read the file
as package data and never import the analyser itself.

Each line of ``vader_lexicon.txt`` is tab-separated::

    good<TAB>1.9<TAB>0.9434<TAB>[2, 1, 1, 3, 2, 4, 2, 2, 1, 1]

The lexicon mixes words with emoticons (``:-)``) and chat abbreviations (``lol``);
:func:`load_vader_lexicon` keeps the entries that look like words by default.
"""

from __future__ import annotations

import ast
import importlib.resources
import importlib.util
import re
from dataclasses import dataclass

__all__ = ["LexiconEntry", "load_vader_lexicon", "parse_vader_lexicon"]

PACKAGE = "vaderSentiment"
FILENAME = "vader_lexicon.txt"

# lowercase letters, possibly with inner apostrophes or hyphens: "good", "don't",
# "well-known"; not ":-)" or "<3"
WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")


@dataclass(frozen=True)
class LexiconEntry:
    """One rated entry: the mean of the ten ratings, their standard deviation, and the
    ratings themselves (integers from -4 to 4).

    Introduced in chapter 9.
    """

    word: str
    mean: float
    sd: float
    ratings: tuple[int, ...]


def parse_vader_lexicon(text: str, source: str = FILENAME) -> list[LexiconEntry]:
    """The entries of a lexicon in VADER's tab-separated layout, in file order.

    Introduced in chapter 9. A malformed line is an error that names it.
    """
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            if len(parts) != 4:
                raise ValueError
            ratings = tuple(ast.literal_eval(parts[3]))
            entry = LexiconEntry(parts[0], float(parts[1]), float(parts[2]), ratings)
            if not all(isinstance(r, int) and -4 <= r <= 4 for r in ratings) \
                    or not -4 <= entry.mean <= 4:
                raise ValueError
        except (ValueError, SyntaxError, TypeError):
            raise ValueError(f"{source}, line {number}: expected 'word<TAB>mean<TAB>sd<TAB>"
                             f"[ratings from -4 to 4]', got {line[:70]!r}.") from None
        entries.append(entry)
    if not entries:
        raise ValueError(f"{source}: the lexicon holds no entries.")
    return entries


def load_vader_lexicon(words_only: bool = True) -> list[LexiconEntry]:
    """The VADER lexicon from the installed ``vaderSentiment`` package.

    Introduced in chapter 9. With ``words_only`` (the default), only entries made of
    lowercase letters (with inner apostrophes or hyphens) are kept: no emoticons.
    """
    if importlib.util.find_spec(PACKAGE) is None:
        raise ModuleNotFoundError(f"the VADER lexicon ships in the package {PACKAGE!r}, which "
                                  f"is not installed here: run `pip install {PACKAGE}` (the "
                                  "course's requirements.txt lists it).")
    text = importlib.resources.files(PACKAGE).joinpath(FILENAME).read_text(encoding="utf-8")
    entries = parse_vader_lexicon(text, source=f"{PACKAGE}/{FILENAME}")
    return [e for e in entries if WORD.fullmatch(e.word)] if words_only else entries
