"""Subsampling frequent words (chapter 5).

"the", "of" and the comma make up a large share of any text, and a pair like
("france", "the") teaches almost nothing. word2vec therefore drops each occurrence of
a word at random, more often the more frequent the word, before making the pairs. With
``f`` the word's share of the corpus and ``t`` a threshold (word2vec.c's ``-sample``,
gensim's ``sample``, 1e-3 by default), the probability of *keeping* an occurrence is:

* the paper (Mikolov et al. 2013b):   ``sqrt(t / f)``
* word2vec.c and gensim:               ``sqrt(t / f) + t / f``
* fastText:                            ``sqrt(t / f) + t / f`` as well, with ``t = 1e-4``
  by default and ``f`` counted over every token it reads

each capped at 1. The C tool writes its formula as ``(sqrt(f / t) + 1) * t / f``,
which is the same function. The default here is word2vec.c's, so that comparisons with
gensim are fair.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["FORMULAS", "keep_probabilities", "keep_probability_of_share", "subsample"]

FORMULAS = ("paper", "word2vec", "fasttext")


def keep_probabilities(counts: Sequence[int] | torch.Tensor, threshold: float = 1e-3,
                       formula: str = "word2vec") -> torch.Tensor:
    """The probability of keeping each occurrence of each word (float64).

    Introduced in chapter 5. ``counts`` are the words' counts in the corpus (after the
    ``min_count`` cut, as word2vec.c and gensim count them); ``f = count / sum(counts)``.
    ``threshold=0`` turns subsampling off (every probability is 1).
    """
    if formula not in FORMULAS:
        raise ValueError(f"formula must be one of {', '.join(FORMULAS)}; got {formula!r}.")
    if threshold < 0:
        raise ValueError(f"threshold must be 0 (off) or positive, got {threshold}.")
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.numel() == 0 or float(counts.sum()) <= 0:
        raise ValueError("counts must hold at least one positive count.")
    return keep_probability_of_share(counts / counts.sum(), threshold, formula)


def keep_probability_of_share(share: float | Sequence[float] | torch.Tensor,
                              threshold: float = 1e-3,
                              formula: str = "word2vec") -> torch.Tensor:
    """The probability of keeping an occurrence of a word that is ``share`` of the
    corpus (``f`` above, between 0 and 1), as float64.

    Introduced in chapter 5, to plot the formulas against ``f``. Unlike
    :func:`keep_probabilities`, which takes counts and divides them by their total, it
    takes the shares themselves: a grid of shares is not a corpus, and must not be
    renormalised.
    """
    if formula not in FORMULAS:
        raise ValueError(f"formula must be one of {', '.join(FORMULAS)}; got {formula!r}.")
    if threshold < 0:
        raise ValueError(f"threshold must be 0 (off) or positive, got {threshold}.")
    share = torch.as_tensor(share, dtype=torch.float64)
    if bool(((share < 0) | (share > 1)).any()):
        raise ValueError("a share of the corpus is between 0 and 1; to start from "
                         "counts, use keep_probabilities(counts).")
    if threshold == 0:
        return torch.ones_like(share)
    # a word with share 0 never occurs; give it probability 1 rather than inf
    ratio = threshold / share.clamp(min=1e-300)
    keep = ratio.sqrt() if formula == "paper" else ratio.sqrt() + ratio
    return keep.clamp(max=1.0)


def subsample(ids: torch.Tensor, keep_prob: torch.Tensor,
              generator: torch.Generator | None = None) -> torch.Tensor:
    """A boolean mask over ``ids``: True for the occurrences kept this time.

    Introduced in chapter 5. Draw it anew every epoch, as word2vec does, so that over
    the epochs every occurrence gets its chance.
    """
    # drawn where keep_prob lives and at its precision (the fast trainer of chapter 7
    # keeps float32 probabilities on the GPU)
    draws = torch.rand(ids.shape, generator=generator, dtype=keep_prob.dtype,
                       device=keep_prob.device)
    # index_select rather than [ids]: the same values, and it also runs on the fake
    # CUDA tensors with which the tests check that nothing crosses between devices
    keep = keep_prob.to(ids.device).index_select(0, ids.reshape(-1)).view(ids.shape)
    return draws.to(ids.device) < keep
