"""2-D maps of word vectors (chapter 6).

A hundred dimensions cannot be drawn; two can. PCA projects the vectors onto the two
directions along which they vary most (a linear map: distances along those axes are
real). t-SNE places the points so that near neighbours stay near (a non-linear map:
clusters are meaningful, distances between clusters and axes are not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from .vectors import WordVectors

__all__ = ["project", "plot_word_groups", "place_labels"]


def project(vectors: WordVectors, words: Sequence[str], method: str = "pca", seed: int = 0) -> np.ndarray:
    """2-D coordinates of ``words`` by PCA or t-SNE, one row per word.

    Introduced in chapter 6. An unknown word is a KeyError that names it.
    """
    matrix = np.stack([vectors[w].numpy() for w in words])
    if method == "pca":
        return PCA(n_components=2, random_state=seed).fit_transform(matrix)
    if method == "tsne":
        # perplexity must stay below the number of points
        perplexity = min(30.0, max(2.0, (len(words) - 1) / 3))
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(matrix)
    raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}.")


def plot_word_groups(vectors: WordVectors, groups: Mapping[str, Sequence[str]], method: str = "pca",
                     ax: plt.Axes | None = None, seed: int = 0) -> plt.Axes:
    """Scatter the words of each group in one colour, labelled, on a 2-D map.

    Introduced in chapter 6. Words the vectors do not hold are left out (and listed in
    the title), so a map of a small corpus still draws.
    """
    kept = {name: [w for w in words if w in vectors] for name, words in groups.items()}
    missing = [w for words in groups.values() for w in words if w not in vectors]
    words = [w for ws in kept.values() for w in ws]
    if len(words) < 3:
        raise ValueError(f"only {len(words)} of the words are in the vectors; a map needs at least 3.")
    points = project(vectors, words, method, seed)
    ax = ax or plt.gca()
    start = 0
    for name, ws in kept.items():
        xy = points[start:start + len(ws)]
        ax.scatter(xy[:, 0], xy[:, 1], label=name, s=18)
        start += len(ws)
    place_labels(ax, points, words)
    title = method.upper() if method == "pca" else "t-SNE"
    if missing:
        title += f" (not in the vocabulary: {', '.join(missing[:4])}{'...' if len(missing) > 4 else ''})"
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


# where a label may go, in points from its dot: right, left, above, below, the
# diagonals; first close to the dot, then a little further out
_SIDES = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
          (0, -1, "center", "top"), (1, 1, "left", "bottom"), (-1, 1, "right", "bottom"),
          (1, -1, "left", "top"), (-1, -1, "right", "top")]
_OFFSETS = [(dx * r, dy * r, ha, va) for r in (4, 10) for dx, dy, ha, va in _SIDES]


def place_labels(ax: plt.Axes, points: np.ndarray, words: Sequence[str],
                 fontsize: float = 8) -> list:
    """Label each point with its word, choosing for each label the first side of its
    dot where it overlaps no label placed before it and no other dot.

    Introduced in chapter 6, where groups of words crowd together on a map. Greedy and
    simple: a label that fits nowhere goes where it overlaps least. Returns the labels.
    """
    figure = ax.figure
    ax.autoscale_view()
    renderer = figure.canvas.get_renderer()
    dots = ax.transData.transform(points)  # display coordinates of every dot
    radius = 3.0 * figure.dpi / 72  # a dot's half width, in pixels
    placed, labels = [], []
    for k, (word, xy) in enumerate(zip(words, points)):
        best, best_overlap = None, None
        for dx, dy, ha, va in _OFFSETS:
            label = ax.annotate(word, xy, xytext=(dx, dy), textcoords="offset points",
                                ha=ha, va=va, fontsize=fontsize)
            box = label.get_window_extent(renderer)
            overlap = sum(_area(box, other) for other in placed)
            overlap += sum(_area(box, _dot_box(dot, radius)) for j, dot in enumerate(dots)
                           if j != k)
            if best is None or overlap < best_overlap:
                if best is not None:
                    best.remove()
                best, best_overlap = label, overlap
            else:
                label.remove()
            if overlap == 0:
                break
        placed.append(best.get_window_extent(renderer))
        labels.append(best)
    return labels


def _dot_box(center: np.ndarray, radius: float):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(center[0] - radius, center[1] - radius,
                             center[0] + radius, center[1] + radius)


def _area(a, b) -> float:
    """The area two boxes share (0 if they do not meet)."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)
