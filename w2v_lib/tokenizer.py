"""Turning raw text into a list of tokens (chapter 1).

word2vec itself never looks inside a word: it sees a stream of tokens. This module
holds the one tokenizer the course uses for raw English text. It does what torchtext's
``basic_english`` tokenizer did (torchtext is no longer maintained): lowercase the
text and split punctuation off the words. It differs in two small ways, both chosen so
that fewer real words are broken apart: contractions stay whole ("don't"), and numbers
keep their decimal point or thousands separator ("3.5", "1,000").

Text that is not plain ASCII is first normalised, so that a word looks the same to the
model however its characters were typed or stored:

* invisible formatting characters are dropped: zero-width spaces and joiners, soft
  hyphens, byte-order marks, direction marks (Unicode's category ``Cf``), and the
  variation selectors that choose how an emoji is drawn;
* the text is put into Unicode's composed form, NFC: "café" written as ``e`` followed
  by a combining accent becomes the same four characters as "café" with ``é``. NFC
  only changes how a character is encoded, never which character it is; the stronger
  NFKC would also fold "ﬁ" into "fi" and "x²" into "x2", and that changes the text;
* a combining mark that has no composed form stays inside its word instead of
  becoming a token of its own (this keeps words of scripts such as Devanagari whole).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

__all__ = ["TOKEN_PATTERN", "normalize", "tokenize"]

# One token is, in order of preference:
#   <unk>              the unknown-word marker, kept whole (WikiText is full of them);
#   3.5, 1,000         a number, with inner "." or "," followed by more digits;
#   don't, king's      a word, with inner apostrophes followed by more letters;
#   ! ? , . ; ( ...    any other single character that is not white space.
TOKEN_PATTERN = re.compile(r"<unk>|\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*|[^\w\s]")

# variation selectors (category Mn, not Cf): they pick a glyph, not a character
_VARIATION_SELECTORS = [*range(0x180B, 0x180E), 0x180F, *range(0xFE00, 0xFE10),
                        *range(0xE0100, 0xE01F0)]


@cache
def _unicode_tables() -> tuple[dict[int, None], re.Pattern[str]]:
    """What to drop, and the token pattern with combining marks allowed inside words
    and numbers. Built on first use (a scan of the code points takes a moment)."""
    drop: dict[int, None] = dict.fromkeys(_VARIATION_SELECTORS)
    marks = []
    # every mark and format character lies in planes 0, 1 and 14 (the rest holds
    # ideographs, private use and unassigned code points)
    for code in (*range(0x20000), *range(0xE0000, min(0xE1000, sys.maxunicode + 1))):
        category = unicodedata.category(chr(code))
        if category == "Cf":
            drop[code] = None
        elif category[0] == "M" and code not in drop:
            marks.append(code)
    # the marks as a character class of ranges: [\u0300-\u036f...]
    ranges, start = [], marks[0]
    for previous, code in zip(marks, marks[1:] + [-1]):
        if code != previous + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = code
    mark = "[" + "".join(ranges) + "]"
    pattern = re.compile(rf"<unk>|\d+(?:[.,]\d+)*{mark}*"
                         rf"|\w(?:\w|{mark})*(?:['’]\w(?:\w|{mark})*)*|[^\w\s]{mark}*")
    return drop, pattern


def normalize(text: str) -> str:
    """``text`` without invisible formatting characters or variation selectors, in
    Unicode's composed form (NFC). ASCII text is returned as it is.

    Introduced in chapter 1.
    """
    if text.isascii():
        return text
    drop, _ = _unicode_tables()
    return unicodedata.normalize("NFC", text.translate(drop))


def tokenize(text: str) -> list[str]:
    """Lowercase ``text`` and split it into words, numbers and punctuation marks.

    Introduced in chapter 1. Text that is not ASCII is normalised first (see the
    module's docstring): NFC, no invisible formatting characters.

    >>> tokenize("The King's castle, on the hill!")
    ['the', "king's", 'castle', ',', 'on', 'the', 'hill', '!']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"tokenize expects a string, got {type(text).__name__}. "
            "To tokenize several lines, call it once per line: [tokenize(t) for t in lines]."
        )
    if text.isascii():  # the common case: nothing to normalise
        return TOKEN_PATTERN.findall(text.lower())
    drop, pattern = _unicode_tables()
    return pattern.findall(unicodedata.normalize("NFC", text.translate(drop).lower()))
