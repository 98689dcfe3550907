"""Nearest neighbours by cosine similarity (chapter 2).

The quickest look at what a model has learned: for a word, the words whose vectors
point in the most similar directions. Chapter 6 measures the vectors properly.
"""

from __future__ import annotations

import torch

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
    if vectors.shape[0] != len(vocab):
        raise ValueError(f"vectors has {vectors.shape[0]} rows but the vocabulary has "
                         f"{len(vocab)} words; pass the table that was trained with it.")
    index = vocab.index(word, strict=True)
    unit = torch.nn.functional.normalize(vectors.float(), dim=1)
    cosines = unit @ unit[index]
    cosines[index] = -float("inf")
    if vocab.unk_index is not None:
        cosines[vocab.unk_index] = -float("inf")
    k = min(k, len(vocab) - 1 - (vocab.unk_index is not None))
    best = torch.topk(cosines, k)
    return [(vocab.word(int(i)), round(float(c), 4)) for c, i in zip(best.values, best.indices)]


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
