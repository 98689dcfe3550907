"""How sure is an accuracy measured on a few hundred examples? A bootstrap interval that
resamples whole groups of examples (chapter 9).

A test set of 469 paragraphs gives an accuracy, but a different test set of the same
size would give another. The bootstrap estimates that spread from the test set itself:
draw a new test set of the same size from it, with replacement, many times, and look at
how the accuracy varies. The middle 95% of the redrawn accuracies is the interval.

Examples that come in groups, such as paragraphs of the same article, are not
independent: an article about a film gives many "Plot" paragraphs that are easy or hard
together. Resampling single paragraphs would then make the interval too narrow, so we
resample whole groups (the "cluster bootstrap"). The same function gives an interval
for the difference of two classifiers on the same examples: pass the difference of
their 0/1 scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["bootstrap_interval"]


def bootstrap_interval(values: Sequence[float] | np.ndarray, groups: Sequence | None = None,
                       level: float = 0.95, resamples: int = 2_000,
                       seed: int = 0) -> tuple[float, float, float]:
    """The mean of ``values`` and a percentile bootstrap interval around it:
    ``(mean, low, high)``.

    Introduced in chapter 9. ``values`` holds one number per example (1 for right, 0
    for wrong gives an accuracy). With ``groups`` (one label per example), whole groups
    are drawn with replacement, and each redrawn mean weighs the groups by their size.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"values must be a non-empty list of numbers, got shape {values.shape}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (0.95 for 95%), got {level}.")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}.")
    if groups is None:
        groups = np.arange(len(values))
    if len(groups) != len(values):
        raise ValueError(f"groups must give one label per value: {len(groups)} labels for "
                         f"{len(values)} values.")
    # the sum and the size of every group, then sums over drawn groups
    _, group_of = np.unique(np.asarray(groups), return_inverse=True)
    sums = np.bincount(group_of, weights=values)
    sizes = np.bincount(group_of).astype(np.float64)
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(sums), size=(resamples, len(sums)))
    means = sums[drawn].sum(axis=1) / sizes[drawn].sum(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(values.mean()), float(low), float(high)
