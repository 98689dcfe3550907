"""From a stream of word indices to training examples (chapters 2 and 3).

word2vec learns from the words that stand near each other. A *window* of size ``m``
around the word at position ``t`` holds the words at positions ``t - m`` to ``t + m``,
without ``t`` itself, and never across a sentence boundary.

* Skip-gram (chapter 2) turns every (center, context) couple in a window into one
  training pair: predict the context from the center.
* CBOW (chapter 3) turns every window into one example: predict the center from all
  of its context words at once.

Both work on a whole corpus at once, with tensor operations instead of Python loops,
so that the pairs of all of WikiText-2 (two million tokens) take seconds.

The *reduced window* of word2vec.c draws, for every center, an effective window size
``b`` uniformly from 1 to ``m`` and uses only the contexts within ``b``. A context at
distance ``k`` is then kept with probability ``(m - k + 1) / m``: near words count more
than far ones, and training is faster.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["stream_from_sentences", "skipgram_pairs", "cbow_examples", "window_offsets",
           "expected_pairs"]

# positions handled at once; bounds the memory of the (positions x 2m) index matrices
_CHUNK = 1 << 20


def stream_from_sentences(sentences: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Concatenate encoded sentences into one stream of indices, with the number of the
    sentence each token came from (so that windows can stop at sentence ends).

    Introduced in chapter 2. Returns ``(ids, sentence)``, two int64 tensors of one length.
    """
    lengths = torch.tensor([len(s) for s in sentences], dtype=torch.int64)
    if int(lengths.sum()) == 0:
        raise ValueError("The corpus is empty: every sentence has zero tokens. Check how it was "
                         "read and encoded (did encode(..., drop_unknown=True) drop everything?).")
    ids = torch.tensor([i for s in sentences for i in s], dtype=torch.int64)
    sentence = torch.repeat_interleave(torch.arange(len(sentences)), lengths)
    return ids, sentence


def window_offsets(window: int) -> torch.Tensor:
    """The relative positions of the context words: ``-w, ..., -1, 1, ..., w``."""
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a whole number of at least 1, got {window!r}: "
                         "a window of 0 words has no context to learn from.")
    return torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)])


def _context_positions(ids: torch.Tensor, sentence: torch.Tensor | None, window: int,
                       reduced: bool, generator: torch.Generator | None):
    """Yield, chunk by chunk, the center positions and a (positions x 2m) matrix of their
    context positions with a mask of which ones are real."""
    if ids.dim() != 1:
        raise ValueError(f"ids must be a 1-D stream of word indices, got shape {tuple(ids.shape)}.")
    if ids.numel() == 0:
        raise ValueError("No tokens: the stream of word indices is empty, so there are no "
                         "windows to make. Check the corpus and the min_count cut.")
    if sentence is not None and sentence.shape != ids.shape:
        raise ValueError(f"sentence must give one sentence number per token: ids has shape "
                         f"{tuple(ids.shape)}, sentence has {tuple(sentence.shape)}.")
    offsets = window_offsets(window).to(ids.device)
    n = ids.numel()
    for start in range(0, n, _CHUNK):
        positions = torch.arange(start, min(start + _CHUNK, n), device=ids.device)
        contexts = positions[:, None] + offsets[None, :]
        valid = (contexts >= 0) & (contexts < n)
        contexts = contexts.clamp(0, n - 1)
        if sentence is not None:
            # a window never reaches into the neighbouring sentence
            valid &= sentence[contexts] == sentence[positions][:, None]
        if reduced:
            # word2vec.c: an effective window drawn uniformly from 1..w for every center
            effective = torch.randint(1, window + 1, (len(positions),), generator=generator)
            valid &= offsets.abs()[None, :] <= effective.to(ids.device)[:, None]
        yield positions, contexts, valid


def skipgram_pairs(ids: torch.Tensor, window: int, sentence: torch.Tensor | None = None,
                   reduced: bool = False, generator: torch.Generator | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """All (center, context) pairs of a stream of word indices.

    Introduced in chapter 2.

    Args:
        ids: the corpus as one 1-D tensor of word indices.
        window: how many words on each side count as context (at least 1).
        sentence: the sentence number of every token; windows stop at sentence ends.
            ``None`` treats the stream as one long sentence.
        reduced: draw an effective window from 1 to ``window`` for every center, as
            word2vec.c does.
        generator: the random generator for the reduced window (for reproducibility).

    Returns ``(centers, contexts)``, ordered by the position of the center, then by the
    position of the context. A sentence of one word gives no pairs.
    """
    centers, contexts = [], []
    for positions, context_positions, valid in _context_positions(ids, sentence, window, reduced, generator):
        centers.append(ids[positions][:, None].expand_as(context_positions)[valid])
        contexts.append(ids[context_positions][valid])
    return torch.cat(centers), torch.cat(contexts)


def cbow_examples(ids: torch.Tensor, window: int, sentence: torch.Tensor | None = None,
                  reduced: bool = False, generator: torch.Generator | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All (contexts, center) examples of a stream of word indices, for CBOW.

    Introduced in chapter 3.

    Windows near a sentence edge hold fewer than ``2 * window`` words. Every example
    therefore has ``2 * window`` slots and a mask that says which slots hold a real
    context word; the others hold index 0 and must be ignored. A center with no context
    at all (a sentence of one word) gives no example.

    Returns ``(contexts, mask, centers)`` with shapes ``(n, 2m)``, ``(n, 2m)`` and ``(n,)``.
    """
    all_contexts, all_masks, all_centers = [], [], []
    for positions, context_positions, valid in _context_positions(ids, sentence, window, reduced, generator):
        keep = valid.any(dim=1)
        all_contexts.append(torch.where(valid, ids[context_positions], 0)[keep])
        all_masks.append(valid[keep])
        all_centers.append(ids[positions][keep])
    return torch.cat(all_contexts), torch.cat(all_masks), torch.cat(all_centers)


def expected_pairs(length: int, window: int, reduced: bool = True) -> float:
    """The expected number of skip-gram pairs from one sentence of ``length`` words.

    Introduced in chapter 2 (its derivation is an exercise there). Count the pairs by
    distance: ``length - k`` couples of positions lie ``k`` apart, and each gives two
    pairs, one with each word as the center. With the reduced window a pair at distance
    ``k`` is kept when the center's drawn size ``b`` is at least ``k``, which happens
    with probability ``(window - k + 1) / window``; with the full window it is always
    kept. A word far from the ends of its sentence is thus the center of ``window + 1``
    pairs on average, instead of ``2 * window``.
    """
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length must be a whole number of words, at least 0; got {length!r}.")
    window_offsets(window)  # the same check of the window as everywhere else
    total = 0.0
    for k in range(1, min(window, length - 1) + 1):
        kept = (window - k + 1) / window if reduced else 1.0
        total += 2 * (length - k) * kept
    return total
