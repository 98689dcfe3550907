"""Nearest neighbours by cosine similarity (chapter 2).

The quickest look at what a model has learned: for a word, the words whose vectors
point in the most similar directions. Chapter 6 measures the vectors properly.
"""

from __future__ import annotations

import torch

from .vectors import WordVectors
from .vocab import Vocab

__all__ = ["nearest_neighbours", "format_neighbours"]


def nearest_neighbours(vectors: torch.Tensor, vocab: Vocab, word: str, k: int = 5
                       ) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine similarity with ``word``'s,
    the word itself left out, best first, as ``(word, cosine)`` pairs.

    Introduced in chapter 2. ``vectors`` has one row per word of ``vocab``. An unknown
    word is a KeyError that names it and suggests close ones; the unknown-word token
    itself is never returned as a neighbour.
    """
    vocab.index(word, strict=True)  # an unknown word: a KeyError with suggestions
    neighbours = WordVectors.from_model(vectors, vocab).most_similar(word, topn=k)
    return [(w, round(c, 4)) for w, c in neighbours]


def format_neighbours(vectors: torch.Tensor, vocab: Vocab, words: list[str], k: int = 5) -> str:
    """A small text table: each word, then its ``k`` nearest neighbours.

    Introduced in chapter 2, to look at a model before and after training.
    """
    width = max(len(word) for word in words)
    lines = []
    for word in words:
        neighbours = ", ".join(w for w, _ in nearest_neighbours(vectors, vocab, word, k))
        lines.append(f"{word:>{width}} -> {neighbours}")
    return "\n".join(lines)
