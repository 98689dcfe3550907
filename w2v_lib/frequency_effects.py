"""How often a word occurs, and what that does to its vector (chapter 6).

Cosine similarity ignores a vector's length, but the length is not noise: it depends
on how often the word occurred in training. So do a word's nearest neighbours, which
tend to occur about as often as the word itself. :func:`frequency_effects` measures
both on trained vectors and the counts of their words:

* the **Spearman correlation** between count and length over all words, read as one
  of three outcomes (:data:`LENGTH_OUTCOMES`): the vectors of more frequent words are
  ``"longer"`` (above +0.1), ``"shorter"`` (below -0.1), or the length is
  ``"unrelated"`` to the count;
* per band of counts (:data:`BANDS`): how many words it holds, the median length of
  their vectors, and the median count of their ten nearest neighbours (over a seeded
  sample of at most 300 words of the band).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from scipy.stats import spearmanr

from .vectors import WordVectors

__all__ = ["BANDS", "LENGTH_OUTCOMES", "FrequencyBand", "FrequencyEffects",
           "frequency_effects", "length_outcome"]

# bands of counts: [low, high); None is no upper limit
BANDS: tuple[tuple[int, int | None], ...] = ((5, 10), (10, 100), (100, 1_000), (1_000, None))
LENGTH_OUTCOMES = ("longer", "shorter", "unrelated")
# |Spearman| at most this is read as no relation
UNRELATED_BELOW = 0.1


def length_outcome(spearman: float) -> str:
    """``"longer"``, ``"shorter"`` or ``"unrelated"``: how the length of a word's vector
    follows its count, read from their Spearman correlation (chapter 6)."""
    if spearman > UNRELATED_BELOW:
        return "longer"
    if spearman < -UNRELATED_BELOW:
        return "shorter"
    return "unrelated"


@dataclass(frozen=True)
class FrequencyBand:
    """The words whose count lies in ``[low, high)`` (``high`` None: no limit)."""

    low: int
    high: int | None
    words: int
    median_length: float
    median_neighbour_count: float

    @property
    def name(self) -> str:
        return f"{self.low:,}+" if self.high is None else f"{self.low:,}-{self.high - 1:,}"


@dataclass(frozen=True)
class FrequencyEffects:
    """What :func:`frequency_effects` measured."""

    spearman: float
    bands: tuple[FrequencyBand, ...]

    @property
    def outcome(self) -> str:
        return length_outcome(self.spearman)

    def __str__(self) -> str:
        lines = [f"{'occurrences':>12} {'words':>7} {'median length':>14} "
                 f"{'neighbours: median count':>25}"]
        for band in self.bands:
            lines.append(f"{band.name:>12} {band.words:7,} {band.median_length:14.2f} "
                         f"{band.median_neighbour_count:25,.0f}")
        return "\n".join(lines)


def frequency_effects(vectors: WordVectors, counts: Mapping[str, int], topn: int = 10,
                      sample: int = 300, seed: int = 0) -> FrequencyEffects:
    """Measure how the length of each word's vector, and the counts of its ``topn``
    nearest neighbours, follow the word's own count.

    Introduced in chapter 6. ``counts`` gives the number of occurrences of every word
    of ``vectors`` in the training text (a ``collections.Counter`` of its tokens). The
    neighbours of a band are those of at most ``sample`` of its words, drawn with
    ``seed``; a band without words is left out.
    """
    missing = [w for w in vectors.words if w not in counts]
    if missing:
        raise KeyError(f"counts has no count for {len(missing):,} of the words of the "
                       f"vectors, such as {missing[0]!r}: pass the counts of the text "
                       "the vectors were trained on.")
    count = torch.tensor([float(counts[w]) for w in vectors.words], dtype=torch.float64)
    length = vectors.vectors.norm(dim=1).double()
    rho = float(spearmanr(count.numpy(), length.numpy()).statistic)
    unit = vectors.unit
    generator = torch.Generator().manual_seed(seed)
    bands = []
    for low, high in BANDS:
        inside = (count >= low) & (count < (high if high is not None else float("inf")))
        rows = inside.nonzero().flatten()
        if len(rows) == 0:
            continue
        if len(rows) > sample:
            rows = rows[torch.randperm(len(rows), generator=generator)[:sample]]
        cosines = unit[rows] @ unit.T
        cosines[torch.arange(len(rows)), rows] = -float("inf")  # not its own neighbour
        neighbours = cosines.topk(min(topn, len(vectors) - 1), dim=1).indices
        bands.append(FrequencyBand(low, high, int(inside.sum()),
                                   statistics.median(length[inside].tolist()),
                                   statistics.median(count[neighbours].flatten().tolist())))
    return FrequencyEffects(rho, tuple(bands))
