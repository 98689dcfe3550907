"""Counting which words occur near which: the co-occurrence matrix (chapter 8).

Skip-gram never looks at a table of counts, yet chapter 8 shows that what it learns is
a function of one: ``#(w, c)``, how often word ``c`` stands in the window of word
``w``. This module counts those pairs the way word2vec's training would see them:

* windows of ``window`` words on each side that stop at sentence ends (chapter 2);
* word2vec's reduced window (chapter 2) in expectation: a context at distance ``k``
  counts ``(m - k + 1) / m``, the probability that the window drawn for its center
  reaches it (``weighting="word2vec"``). ``"uniform"`` counts every context once,
  ``"harmonic"`` counts it ``1 / k``, as GloVe does;
* optionally after subsampling (chapter 5): each pass draws which tokens are kept and
  counts on the kept tokens only, so that windows reach further, as in training.

The result is a ``V x V`` sparse matrix (``scipy.sparse.csr_matrix``, float64):
WikiText-2 has 20,431 words and 6.4 million distinct pairs over five subsampled
passes (chapter 8), so a dense matrix (1.7 GB in float32) would be mostly zeros.
Entry ``[w, c]`` counts ``c`` as a context of ``w``; every pair is seen from both
ends, so the matrix is symmetric.

Memory. The corpus is read in chunks of ``chunk_tokens`` tokens (subsampled chunk by
chunk); a chunk's pairs are summed into a small sparse matrix, which is added to the
running total. Besides the corpus itself, the memory is then bounded by

* per chunk: at most ``chunk_tokens * window`` pairs of 16 bytes (80 MB with the
  defaults and a window of 5), and about as much again while they are summed;
* the running total: 12 bytes per distinct pair, twice while a chunk is added to it;

and it does not grow with the length of the corpus: a longer corpus only adds
distinct pairs, which a fixed vocabulary caps at ``V * V``.

``bench/cooccurrence_memory.py`` measures it on WikiText-2 repeated to the size of
WikiText-103.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import scipy.sparse as sp
import torch

from .subsampling import subsample

__all__ = ["WEIGHTINGS", "window_weights", "cooccurrence_counts"]

WEIGHTINGS = ("word2vec", "uniform", "harmonic")


def window_weights(window: int, weighting: str = "word2vec") -> np.ndarray:
    """How much a context at distance ``1, ..., window`` counts (float64).

    Introduced in chapter 8. ``word2vec``: ``(m - k + 1) / m``, the chance that a
    reduced window drawn uniformly from 1 to ``m`` reaches distance ``k``;
    ``uniform``: 1; ``harmonic``: ``1 / k`` (GloVe).
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a whole number of at least 1, got {window!r}.")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}.")
    distance = np.arange(1, window + 1, dtype=np.float64)
    if weighting == "word2vec":
        return (window - distance + 1) / window
    if weighting == "uniform":
        return np.ones(window)
    return 1.0 / distance


def _check_stream(ids: torch.Tensor, sentence: torch.Tensor | None, vocab_size: int) -> None:
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise ValueError("ids must be a 1-D tensor of word indices (the corpus as one stream, "
                         "e.g. EncodedCorpus.ids).")
    if ids.numel() == 0:
        raise ValueError("The corpus is empty: there are no tokens to count pairs in.")
    if ids.dtype.is_floating_point or ids.dtype == torch.bool:
        raise ValueError(f"ids must hold integer word indices, got dtype {ids.dtype}.")
    if sentence is not None and (not isinstance(sentence, torch.Tensor)
                                 or sentence.shape != ids.shape):
        raise ValueError("sentence must be a tensor with one sentence number per token, of "
                         f"the same shape as ids {tuple(ids.shape)}.")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive whole number, got {vocab_size!r}.")
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(f"word indices must lie in 0..{vocab_size - 1} (vocab_size "
                         f"{vocab_size:,}), but ids holds {low if low < 0 else high:,}. "
                         "Pass the size of the vocabulary the corpus was encoded with.")


def _stream(ids: torch.Tensor, sentence: torch.Tensor, keep_prob: torch.Tensor | None,
            generator: torch.Generator | None, chunk: int
            ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The corpus chunk by chunk, as int32 arrays of word and sentence numbers; with
    ``keep_prob``, only the tokens kept by one subsampling draw (chapter 5's)."""
    for start in range(0, len(ids), chunk):
        part, part_sentence = ids[start:start + chunk], sentence[start:start + chunk]
        if keep_prob is not None:
            mask = subsample(part.long(), keep_prob, generator)
            part, part_sentence = part[mask], part_sentence[mask]
        yield part.to(torch.int32).numpy(), part_sentence.to(torch.int32).numpy()


def _count_pass(chunks: Iterable[tuple[np.ndarray, np.ndarray]], vocab_size: int,
                weights: np.ndarray) -> sp.csr_matrix:
    """Pairs (token i, token i + k) for k = 1..m, summed chunk by chunk. Each pair is
    counted once here, from its left end; the caller adds the transpose.

    The last ``m`` tokens of a chunk are carried over to the front of the next, so
    that pairs across the seam are counted too, and each pair only once: a pair is
    counted with the chunk that holds its right end."""
    window = len(weights)
    total = sp.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    tail_ids = tail_sentence = np.empty(0, dtype=np.int32)
    for chunk_ids, chunk_sentence in chunks:
        ids = np.concatenate([tail_ids, chunk_ids])
        sentence = np.concatenate([tail_sentence, chunk_sentence])
        carried, n = len(tail_ids), len(ids)
        rows, cols, values = [], [], []
        for k in range(1, window + 1):
            # right ends: the new tokens, positions carried..n-1; left ends k before
            first = max(carried, k)
            if first >= n:
                continue
            left, right = slice(first - k, n - k), slice(first, n)
            # a window never reaches into the next sentence
            same = sentence[left] == sentence[right]
            rows.append(ids[left][same])
            cols.append(ids[right][same])
            values.append(np.full(len(rows[-1]), weights[k - 1]))
        tail_ids, tail_sentence = ids[-window:], sentence[-window:]
        if rows:
            # coo -> csr sums the repeated pairs of this chunk in one pass
            part = sp.coo_matrix((np.concatenate(values),
                                  (np.concatenate(rows), np.concatenate(cols))),
                                 shape=(vocab_size, vocab_size)).tocsr()
            del rows, cols, values
            total = total + part
    return total


def cooccurrence_counts(ids: torch.Tensor, sentence: torch.Tensor | None, vocab_size: int,
                        window: int, *, weighting: str = "word2vec",
                        keep_prob: torch.Tensor | None = None,
                        generator: torch.Generator | None = None, passes: int = 1,
                        chunk_tokens: int = 1 << 20) -> sp.csr_matrix:
    """The symmetric ``vocab_size x vocab_size`` matrix of weighted co-occurrence counts.

    Introduced in chapter 8.

    Args:
        ids: the corpus as one 1-D tensor of word indices (``EncodedCorpus.ids``).
        sentence: the sentence number of every token; windows stop at sentence ends.
            ``None`` treats the stream as one sentence.
        vocab_size: the number of words; indices must lie below it.
        window: how many words on each side count as context.
        weighting: how a context at distance ``k`` counts (:func:`window_weights`).
        keep_prob: each word's keep-probability (``subsampling.keep_probabilities``);
            then every pass counts on a fresh subsample, as every epoch trains on one.
        generator: the random generator of the subsampling draws.
        passes: how many passes to add up; more than one only makes sense with
            ``keep_prob`` (without it, every pass counts the same pairs).
        chunk_tokens: tokens counted at once; bounds the memory of a chunk.

    Returns a ``scipy.sparse.csr_matrix`` of float64 whose entry ``[w, c]`` is the
    weighted number of times ``c`` occurred in the window of ``w``, summed over passes.
    """
    _check_stream(ids, sentence, vocab_size)
    weights = window_weights(window, weighting)
    if isinstance(passes, bool) or not isinstance(passes, int) or passes < 1:
        raise ValueError(f"passes must be a whole number of at least 1, got {passes!r}.")
    if isinstance(chunk_tokens, bool) or not isinstance(chunk_tokens, int) or chunk_tokens < 1:
        raise ValueError(f"chunk_tokens must be a whole number of at least 1, got {chunk_tokens!r}.")
    if keep_prob is not None and len(keep_prob) != vocab_size:
        raise ValueError(f"keep_prob must hold one probability per word: {len(keep_prob):,} "
                         f"given for a vocabulary of {vocab_size:,}.")
    if sentence is None:
        sentence = torch.zeros(len(ids), dtype=torch.int32)
    ids, sentence = ids.cpu(), sentence.cpu()
    keep_prob = None if keep_prob is None else keep_prob.cpu()
    total = sp.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    for _ in range(passes):
        chunks = _stream(ids, sentence, keep_prob, generator, chunk_tokens)
        total = total + _count_pass(chunks, vocab_size, weights)
    # every pair seen from its right end too: c in the window of w and w in that of c
    return (total + total.T).tocsr()
