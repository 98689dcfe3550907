"""The vocabulary: which words the model knows, how often each occurs, and its index
(chapter 1).

Every later chapter works with integer indices, never with strings: a word is a row
of an embedding table, and the vocabulary is the map between the two. It also keeps
the count of every word, which later chapters need for the noise distribution of
negative sampling (chapter 4) and for subsampling frequent words (chapter 5).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["Vocab", "UNK", "EmptyVocabularyError"]

UNK = "<unk>"


class EmptyVocabularyError(ValueError):
    """No word is left to learn: the corpus is empty, every word is rarer than
    ``min_count``, or every token is the unknown-word token."""


class Vocab:
    """Words and their indices, ordered from the most to the least frequent.

    Introduced in chapter 1.

    Args:
        counts: how often each word occurs in the corpus.
        min_count: drop words that occur fewer times than this (word2vec's default is 5).
        max_size: keep at most this many words (the most frequent ones), not counting
            the unknown-word token.
        unk: the token that stands for every dropped or unseen word, or ``None`` for no
            such token (then encoding an unknown word is an error, or it is skipped).

    Ties in count are broken alphabetically, so the same corpus always gives the same
    indices. The unknown-word token, when there is one, takes index 0; its count is the
    number of corpus tokens it stands for (the dropped words, plus any ``<unk>`` that
    was already in the text, as in WikiText).
    """

    def __init__(
        self,
        counts: Mapping[str, int],
        min_count: int = 1,
        max_size: int | None = None,
        unk: str | None = UNK,
    ) -> None:
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}.")
        if max_size is not None and max_size < 1:
            raise ValueError(f"max_size must be at least 1 or None, got {max_size}.")
        if not counts or sum(counts.values()) == 0:
            raise EmptyVocabularyError(
                "Cannot build a vocabulary from an empty corpus: no tokens were given. "
                "Check that the text was read and tokenized (an empty file, or a list of "
                "empty sentences?)."
            )
        self.min_count = min_count
        self.unk = unk

        # most frequent first; alphabetical among equals, so the order is reproducible
        ranked = sorted(
            ((word, n) for word, n in counts.items() if word != unk),
            key=lambda item: (-item[1], item[0]),
        )
        kept = [(word, n) for word, n in ranked if n >= min_count]
        if max_size is not None:
            kept = kept[:max_size]
        if not ranked:
            raise EmptyVocabularyError(
                f"Every token of the corpus is the unknown-word token {unk!r} "
                f"({counts[unk]} of them): there is no word to learn. Check that the "
                "right text was read; a corpus whose rare words were all replaced by "
                f"{unk!r} needs more text."
            )
        if not kept:
            top_word, top_count = ranked[0]
            raise EmptyVocabularyError(
                f"min_count={min_count} removes every word: the most frequent word, "
                f"{top_word!r}, occurs only {top_count} time(s). Lower min_count to at "
                f"most {top_count}, or use a larger corpus."
            )

        words = [word for word, _ in kept]
        word_counts = [n for _, n in kept]
        if unk is not None:
            # the unknown token counts every corpus token it replaces
            dropped = sum(counts.values()) - sum(word_counts)
            words.insert(0, unk)
            word_counts.insert(0, dropped)
        self.itos: list[str] = words
        self.counts: list[int] = word_counts
        self.stoi: dict[str, int] = {word: i for i, word in enumerate(words)}

    @classmethod
    def from_tokens(
        cls,
        tokens: Iterable[str] | Iterable[Sequence[str]],
        min_count: int = 1,
        max_size: int | None = None,
        unk: str | None = UNK,
    ) -> Vocab:
        """Count the tokens of a corpus and build its vocabulary.

        ``tokens`` is either a flat sequence of tokens or a sequence of sentences, each a
        list of tokens. A token never holds white space: a string, or a list of
        untokenized lines, is an error that says to tokenize first.
        """
        if isinstance(tokens, str):
            # iterating over a string would count its characters
            raise TypeError(
                "from_tokens expects a list of tokens (or of tokenized sentences), not a "
                "string; tokenize it first: Vocab.from_tokens(tokenize(text))."
            )
        counter: Counter[str] = Counter()
        for item in tokens:
            if isinstance(item, str):
                counter[item] += 1
            else:
                counter.update(item)
        # checked once per distinct word, after counting, so that it costs nothing
        # next to the corpus
        spaced = next((word for word in counter if not isinstance(word, str)
                       or not word or word.split() != [word]), None)
        if spaced is not None:
            raise ValueError(
                f"the token {spaced!r} is empty, not a string, or holds white space: "
                "tokens are single words. Pass tokenized sentences, for example "
                "[tokenize(line) for line in lines], not lines of text."
            )
        return cls(counter, min_count=min_count, max_size=max_size, unk=unk)

    # --- size and membership -------------------------------------------------------
    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: object) -> bool:
        return word in self.stoi

    def __repr__(self) -> str:
        head = ", ".join(repr(w) for w in self.itos[:5])
        more = ", ..." if len(self) > 5 else ""
        return f"Vocab({len(self)} words: [{head}{more}], min_count={self.min_count}, unk={self.unk!r})"

    @property
    def unk_index(self) -> int | None:
        """The index of the unknown-word token, or ``None`` if there is none."""
        return None if self.unk is None else self.stoi[self.unk]

    @property
    def total(self) -> int:
        """The number of corpus tokens the vocabulary covers (with those behind ``unk``)."""
        return sum(self.counts)

    def count(self, word: str) -> int:
        """How often ``word`` occurred in the corpus (0 if it was dropped or unseen)."""
        i = self.stoi.get(word)
        return 0 if i is None else self.counts[i]

    # --- word <-> index ------------------------------------------------------------
    def index(self, word: str, strict: bool = False) -> int:
        """The index of ``word``. Unknown words map to ``unk`` if there is one, unless
        ``strict`` is set (as when looking a word up to query it): then, and whenever
        there is no ``unk``, an unknown word is a KeyError that suggests close ones."""
        i = self.stoi.get(word)
        if i is not None:
            return i
        if self.unk is not None and not strict:
            return self.stoi[self.unk]
        raise KeyError(self._unknown_message(word, strict))

    def __getitem__(self, word: str) -> int:
        return self.index(word)

    def word(self, index: int) -> str:
        """The word at ``index``."""
        if not 0 <= index < len(self):
            raise IndexError(
                f"index {index} is out of range for a vocabulary of {len(self)} words "
                f"(valid indices are 0 to {len(self) - 1})."
            )
        return self.itos[index]

    def encode(self, tokens: Iterable[str], drop_unknown: bool = False) -> list[int]:
        """Map tokens to indices.

        Unknown tokens become the ``unk`` index. With ``drop_unknown=True`` they are left
        out instead, which is what word2vec does with words below ``min_count``.
        """
        if isinstance(tokens, str):
            raise TypeError(
                "encode expects a list of tokens, not a string; tokenize it first: "
                "vocab.encode(tokenize(text))."
            )
        if drop_unknown:
            return [self.stoi[t] for t in tokens if t in self.stoi]
        return [self.index(t) for t in tokens]

    def decode(self, indices: Iterable[int]) -> list[str]:
        """Map indices back to words."""
        return [self.word(int(i)) for i in indices]

    def _unknown_message(self, word: str, strict: bool = False) -> str:
        close = difflib.get_close_matches(word, self.itos, n=3)
        hint = f" Did you mean {', '.join(repr(w) for w in close)}?" if close else ""
        if strict:
            return f"{word!r} is not in the vocabulary ({len(self)} words).{hint}"
        return (
            f"{word!r} is not in the vocabulary, and this vocabulary has no unknown-word "
            f"token.{hint} Build it with unk='<unk>' to map unseen words there, or call "
            f"encode(tokens, drop_unknown=True) to skip them."
        )
