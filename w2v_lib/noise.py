"""The noise distribution of negative sampling, and three ways to draw from it
(chapter 4).

Negative sampling asks the model to tell the observed context word apart from a few
*noise* words drawn at random. word2vec draws them from the unigram distribution raised
to the power 3/4:

    P_n(w) = count(w) ** 0.75 / sum_w' count(w') ** 0.75

The power flattens the distribution: frequent words are still drawn most, but rare
words are drawn more often than their share of the text.

Three samplers draw from it, each exactly or nearly so:

* :class:`MultinomialSampler` calls ``torch.multinomial`` (inverse transform on the
  cumulative distribution, a binary search per draw);
* :class:`AliasSampler` builds Walker's alias table once, then each draw is one
  uniform bucket and one biased coin: O(1) per draw;
* :class:`UnigramTableSampler` is word2vec.c's trick: a big table in which word ``w``
  fills a share of the slots proportional to ``P_n(w)``; a draw is one uniform index.
  It is exact only up to the table's resolution.

Every sampler draws from the distribution of word *indices* weighted by their counts;
the tests check that, because a sampler that weights words by their index instead of
their count looks plausible and is wrong.
"""

from __future__ import annotations

import copy

from collections.abc import Sequence

import torch

__all__ = ["noise_distribution", "MultinomialSampler", "AliasSampler", "UnigramTableSampler"]


def noise_distribution(counts: Sequence[int] | torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """``counts ** power``, normalised to sum to 1 (float64).

    Introduced in chapter 4. ``power=1`` gives the unigram distribution, ``power=0`` the
    uniform one. Words with a count of 0 (such as an unused ``<unk>``) are never drawn.
    """
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.dim() != 1 or counts.numel() == 0:
        raise ValueError("counts must be a non-empty 1-D sequence, one count per word.")
    if bool((counts < 0).any()):
        raise ValueError("counts must not be negative.")
    weights = counts.pow(power) * (counts > 0)
    if float(weights.sum()) == 0:
        raise ValueError("every count is 0: there is nothing to sample from.")
    return weights / weights.sum()


class MultinomialSampler:
    """Draws with ``torch.multinomial`` from the noise distribution.

    Introduced in chapter 4.
    """

    def __init__(self, probs: torch.Tensor) -> None:
        self.probs = probs.float()

    def sample(self, shape: tuple[int, ...], generator: torch.Generator | None = None) -> torch.Tensor:
        count = int(torch.tensor(shape).prod())
        draws = torch.multinomial(self.probs, count, replacement=True, generator=generator)
        return draws.view(shape)


class AliasSampler:
    """Walker's alias method: O(V) to build, O(1) per draw.

    Introduced in chapter 4. Every word owns one of ``V`` equal buckets. Bucket ``i``
    keeps word ``i`` with probability ``keep[i]`` and otherwise hands the draw to its
    ``alias[i]``; building the table moves the excess of over-full buckets into
    under-full ones until every bucket holds exactly ``1/V`` of the mass.
    """

    def __init__(self, probs: torch.Tensor) -> None:
        n = len(probs)
        scaled = (probs.double() * n).tolist()
        keep = [1.0] * n
        alias = list(range(n))
        small = [i for i, p in enumerate(scaled) if p < 1.0]
        large = [i for i, p in enumerate(scaled) if p >= 1.0]
        while small and large:
            s, g = small.pop(), large[-1]
            keep[s], alias[s] = scaled[s], g
            # g gives what s lacks; it may become under-full itself
            scaled[g] -= 1.0 - scaled[s]
            if scaled[g] < 1.0:
                small.append(large.pop())
        # what is left is full up to rounding error
        self.keep = torch.tensor(keep, dtype=torch.float64)
        self.alias = torch.tensor(alias, dtype=torch.int64)

    def to(self, device: torch.device | str, dtype: torch.dtype | None = None) -> AliasSampler:
        """The same sampler with its tables on ``device`` (chapter 7 draws on the GPU),
        its keep-probabilities in ``dtype`` if given; draws then happen there."""
        moved = copy.copy(self)
        moved.keep = self.keep.to(device=device, dtype=dtype or self.keep.dtype)
        moved.alias = self.alias.to(device)
        return moved

    def sample(self, shape: tuple[int, ...], generator: torch.Generator | None = None) -> torch.Tensor:
        device = self.keep.device
        buckets = torch.randint(0, len(self.keep), shape, generator=generator, device=device)
        coins = torch.rand(shape, generator=generator, dtype=self.keep.dtype, device=device)
        # take() rather than [buckets]: the same values, and it also runs on the fake
        # CUDA tensors of the tests
        return torch.where(coins < self.keep.take(buckets), buckets, self.alias.take(buckets))


class UnigramTableSampler:
    """word2vec.c's unigram table: word ``w`` fills about ``P_n(w) * size`` slots.

    Introduced in chapter 4. word2vec.c uses ``size = 1e8``; a smaller table is faster
    to build and coarser: a word whose share is below ``1/size`` may get no slot at all.
    """

    def __init__(self, probs: torch.Tensor, size: int = 10_000_000) -> None:
        if size < len(probs):
            raise ValueError(f"the table ({size:,} slots) must have at least one slot per word "
                             f"({len(probs):,} words).")
        # slot j goes to the first word whose cumulative share exceeds j / size
        edges = torch.cumsum(probs.double(), dim=0)
        slots = (torch.arange(size, dtype=torch.float64) + 0.5) / size
        self.table = torch.searchsorted(edges, slots).clamp_(max=len(probs) - 1)

    def sample(self, shape: tuple[int, ...], generator: torch.Generator | None = None) -> torch.Tensor:
        return self.table[torch.randint(0, len(self.table), shape, generator=generator)]
