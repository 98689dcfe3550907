"""Turning raw text into a list of tokens (chapter 1).

word2vec itself never looks inside a word: it sees a stream of tokens. This module
holds the one tokenizer the course uses for raw English text. It does what torchtext's
``basic_english`` tokenizer did (torchtext is no longer maintained): lowercase the
text and split punctuation off the words. It differs in two small ways, both chosen so
that fewer real words are broken apart: contractions stay whole ("don't"), and numbers
keep their decimal point or thousands separator ("3.5", "1,000").
"""

from __future__ import annotations

import re

__all__ = ["TOKEN_PATTERN", "tokenize"]

# One token is, in order of preference:
#   <unk>              the unknown-word marker, kept whole (WikiText is full of them);
#   3.5, 1,000         a number, with inner "." or "," followed by more digits;
#   don't, king's      a word, with inner apostrophes followed by more letters;
#   ! ? , . ; ( ...    any other single character that is not white space.
TOKEN_PATTERN = re.compile(r"<unk>|\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lowercase ``text`` and split it into words, numbers and punctuation marks.

    Introduced in chapter 1.

    >>> tokenize("The King's castle, on the hill!")
    ['the', "king's", 'castle', ',', 'on', 'the', 'hill', '!']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"tokenize expects a string, got {type(text).__name__}. "
            "To tokenize several lines, call it once per line: [tokenize(t) for t in lines]."
        )
    return TOKEN_PATTERN.findall(text.lower())
