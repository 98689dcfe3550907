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

__all__ = ["project", "plot_word_groups"]


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
        for word, (x, y) in zip(ws, xy):
            ax.annotate(word, (x, y), xytext=(2, 2), textcoords="offset points", fontsize=8)
        start += len(ws)
    title = method.upper() if method == "pca" else "t-SNE"
    if missing:
        title += f" (not in the vocabulary: {', '.join(missing[:4])}{'...' if len(missing) > 4 else ''})"
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
