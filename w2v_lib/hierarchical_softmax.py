"""Hierarchical softmax over a Huffman tree (appendix A).

The first word2vec paper (Mikolov et al. 2013a) did not train with a softmax over the
whole vocabulary, nor with negative sampling: it used a *hierarchical softmax*. The
words are the leaves of a binary tree with ``V - 1`` inner nodes, and every inner node
``n`` has a vector ``u_n``. To reach word ``w`` from the root one takes a left or right
turn at each inner node on its path; the probability of a turn is a sigmoid,

    p(w | c) = prod_j sigmoid((1 - 2 b_j) u_{n_j} . v_c),

where ``n_1, n_2, ...`` are the inner nodes on the path of ``w`` (root first) and
``b_j`` is the bit of its *code* at that node: bit 0 means "the first child", taken
with probability ``sigmoid(u . v)``, bit 1 the second, with ``sigmoid(-u . v)``. The
two turns at a node sum to 1, so the probabilities of all ``V`` leaves sum to 1, and a
word costs as many dot products as its path is long, not ``V``.

word2vec.c builds the tree by Huffman's algorithm from the word counts, so frequent
words get short paths: a training pair costs, on average, about the entropy of the
unigram distribution in dot products. This module builds the tree exactly as
word2vec.c's ``CreateBinaryTree`` does (the same codes and the same numbering of inner
nodes, which gensim follows too), and trains skip-gram and CBOW with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .cbow import combine_contexts
from .skipgram import init_tables

__all__ = ["HuffmanTree", "huffman_tree", "entropy_bits", "draw_tree", "path_log_probs", "hierarchical_softmax_loss",
           "hierarchical_softmax_grads", "HierarchicalSkipGram", "HierarchicalCBOW"]


@dataclass(frozen=True)
class HuffmanTree:
    """The Huffman tree of a vocabulary, as word2vec.c stores it.

    Introduced in appendix A. For word ``w``, ``codes[w]`` holds the bits of its path
    and ``points[w]`` the inner nodes it passes, both from the root down; the leaf
    itself is not among the points. Inner nodes are numbered ``0 .. V - 2`` in the
    order the algorithm creates them, so the root is ``V - 2``.
    """

    counts: tuple[int, ...]
    codes: tuple[tuple[int, ...], ...]
    points: tuple[tuple[int, ...], ...]
    _padded: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        lengths = self.lengths
        return (f"HuffmanTree({len(self):,} words, {len(self) - 1:,} inner nodes, "
                f"paths of {int(lengths.min())} to {int(lengths.max())} nodes)")

    @property
    def root(self) -> int:
        """The number of the root among the inner nodes: the last one created."""
        return len(self) - 2

    @property
    def lengths(self) -> torch.Tensor:
        """The length of every word's path (its number of bits), int64."""
        return torch.tensor([len(code) for code in self.codes], dtype=torch.int64)

    def expected_code_length(self) -> float:
        """The mean path length over the corpus, each word weighted by its count: the
        number of dot products a training pair costs on average."""
        counts = torch.tensor(self.counts, dtype=torch.float64)
        return float((counts * self.lengths).sum() / counts.sum())

    def padded(self, device: torch.device | str = "cpu"
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Every path padded to the longest one, for batches: ``(points, codes, mask)``,
        each of shape ``(V, L)``, with ``L`` the longest path. ``points`` is int64 (0 in
        the padding), ``codes`` float32 (0 in the padding), ``mask`` True on the path."""
        key = str(torch.device(device))
        if key not in self._padded:
            lengths = self.lengths
            mask = torch.arange(int(lengths.max())) < lengths[:, None]
            # the mask's True entries, read row by row, are the paths one after another
            total = int(lengths.sum())
            points = torch.zeros(mask.shape, dtype=torch.int64)
            points[mask] = torch.from_numpy(
                np.fromiter(chain.from_iterable(self.points), np.int64, total))
            codes = torch.zeros(mask.shape, dtype=torch.float32)
            codes[mask] = torch.from_numpy(
                np.fromiter(chain.from_iterable(self.codes), np.float32, total))
            self._padded[key] = (points.to(device), codes.to(device), mask.to(device))
        return self._padded[key]


def huffman_tree(counts: Sequence[int] | torch.Tensor) -> HuffmanTree:
    """Build the Huffman tree of a vocabulary from its word counts, as word2vec.c does.

    Introduced in appendix A. Huffman's algorithm merges the two nodes of smallest
    count into a new inner node, ``V - 1`` times. word2vec.c does it in linear time
    with two queues: the leaves in order of decreasing count, read from the rare end,
    and the inner nodes in the order they are made, whose counts never decrease. Of
    the two nodes merged, the first taken gets bit 0 and the second bit 1; on a tie
    between a leaf and an inner node the inner node is taken first. ``counts`` in
    decreasing order (a :class:`w2v_lib.vocab.Vocab`'s) give word2vec.c's tree exactly;
    other orders are sorted first, ties keeping their index order.
    """
    counts = [int(c) for c in (counts.tolist() if isinstance(counts, torch.Tensor) else counts)]
    size = len(counts)
    if size < 2:
        raise ValueError(f"A Huffman tree needs at least 2 words, got {size}: with one word "
                         "there is nothing to choose, and no inner node to learn.")
    if min(counts) < 0:
        raise ValueError(f"Word counts cannot be negative; got {min(counts)} for word "
                         f"{counts.index(min(counts))}.")
    # the leaf queue: most frequent first, consumed from the end (the rarest)
    order = sorted(range(size), key=lambda w: -counts[w])
    weight = counts + [0] * (size - 1)
    parent = [0] * (2 * size - 1)
    bit = [0] * (2 * size - 1)
    leaf, inner = size - 1, size  # next leaf (a position in `order`), next inner node
    for new in range(size, 2 * size - 1):
        taken = []
        for _ in range(2):
            # a leaf only if it is strictly lighter than the oldest unmerged inner node
            if leaf >= 0 and (inner == new or weight[order[leaf]] < weight[inner]):
                taken.append(order[leaf])
                leaf -= 1
            else:
                taken.append(inner)
                inner += 1
        first, second = taken
        weight[new] = weight[first] + weight[second]
        parent[first] = parent[second] = new
        bit[second] = 1
    # read the paths top-down: a node's parent is always made after it, so walking the
    # nodes from the root downwards meets every parent before its children
    root = 2 * size - 2
    codes: list[tuple[int, ...]] = [()] * (2 * size - 1)
    points: list[tuple[int, ...]] = [()] * (2 * size - 1)
    for node in range(root - 1, -1, -1):
        up = parent[node]
        codes[node] = codes[up] + (bit[node],)
        points[node] = points[up] + (up - size,)
    return HuffmanTree(tuple(counts), tuple(codes[:size]), tuple(points[:size]))


def path_log_probs(hidden: torch.Tensor, nodes: torch.Tensor, codes: torch.Tensor,
                   mask: torch.Tensor) -> torch.Tensor:
    """``log p(w | c)`` of each example: the sum of the log-probabilities of the turns.

    Introduced in appendix A. ``hidden`` is ``(B, d)`` (``v_c``, or CBOW's ``h``);
    ``nodes`` ``(B, L, d)``, the vectors of the inner nodes on each target's padded
    path; ``codes`` ``(B, L)``, its bits (0 or 1); ``mask`` ``(B, L)``, True on the
    path. A turn with bit ``b`` at a node with score ``s = u . v`` has probability
    ``sigmoid((1 - 2b) s)``. Returns ``(B,)``.
    """
    scores = (nodes * hidden[:, None, :]).sum(dim=-1)  # (B, L): one dot product per node
    signs = 1.0 - 2.0 * codes.to(scores.dtype)
    return (F.logsigmoid(signs * scores) * mask.to(scores.dtype)).sum(dim=1)


def hierarchical_softmax_loss(hidden: torch.Tensor, nodes: torch.Tensor, codes: torch.Tensor,
                              mask: torch.Tensor) -> torch.Tensor:
    """The mean of ``-log p(w | c)`` over a batch (shapes as in :func:`path_log_probs`).

    Introduced in appendix A. Unlike negative sampling's loss, it is a true
    cross-entropy: the same quantity as the full softmax's loss of chapter 2.
    """
    if hidden.shape[0] == 0:
        raise ValueError("Empty batch: there are no examples to learn from.")
    return -path_log_probs(hidden, nodes, codes, mask).mean()


def hierarchical_softmax_grads(hidden: torch.Tensor, nodes: torch.Tensor, codes: torch.Tensor,
                               mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradients of :func:`hierarchical_softmax_loss` by hand: with respect to
    ``hidden`` ``(B, d)`` and to the path's node vectors ``(B, L, d)``.

    Introduced in appendix A. The loss of one turn is ``-log sigmoid((1 - 2b) s)``; its
    derivative by the score is ``sigmoid(s) - (1 - b)``, the same "prediction minus
    target" as in chapter 4, with target 1 for bit 0 and 0 for bit 1. Padding gets 0.
    """
    scores = (nodes * hidden[:, None, :]).sum(dim=-1)
    delta = (torch.sigmoid(scores) - 1.0 + codes.to(scores.dtype)) * mask.to(scores.dtype)
    delta = delta / hidden.shape[0]
    return (delta[:, :, None] * nodes).sum(dim=1), delta[:, :, None] * hidden[:, None, :]


class _HierarchicalModel(nn.Module):
    """What the skip-gram and CBOW versions share: the input table, the table of
    inner-node vectors, and the tree's padded paths as buffers (they follow
    ``model.to(device)``)."""

    def __init__(self, tree: HuffmanTree, dim: int, sparse: bool,
                 generator: torch.Generator | None) -> None:
        super().__init__()
        if not isinstance(tree, HuffmanTree):
            raise TypeError("tree must be a HuffmanTree; build one with "
                            "w2v_lib.hierarchical_softmax.huffman_tree(vocab.counts).")
        # the input table w_in as in chapter 2; the output table w_out has one row per
        # inner node, not per word (word2vec.c's syn1). It starts at zero, as syn1
        # does, so every turn starts at probability 1/2
        self.w_in, _ = init_tables(len(tree), dim, generator)
        self.w_out = nn.Embedding(len(tree) - 1, dim)
        nn.init.zeros_(self.w_out.weight)
        # sparse gradients: a step touches only the rows it looked up (plain SGD only)
        self.w_in.sparse = self.w_out.sparse = sparse
        points, codes, mask = tree.padded()
        self.register_buffer("path_points", points, persistent=False)
        self.register_buffer("path_codes", codes, persistent=False)
        self.register_buffer("path_mask", mask, persistent=False)

    def _path_log_probs(self, hidden: torch.Tensor, words: torch.Tensor) -> torch.Tensor:
        return path_log_probs(hidden, self.w_out(self.path_points[words]),
                              self.path_codes[words], self.path_mask[words])

    def _all_words(self, hidden: torch.Tensor) -> torch.Tensor:
        """``p(w | hidden)`` for every word ``w``: ``(B, V)``. Costs V paths; for
        checking, not for training."""
        size = self.path_points.shape[0]
        words = torch.arange(size, device=hidden.device)
        rows = [self._path_log_probs(h.expand(size, -1), words) for h in hidden]
        return torch.stack(rows).exp()

    @property
    def vectors(self) -> torch.Tensor:
        """The word vectors to keep: the input table, detached."""
        return self.w_in.weight.detach()


class HierarchicalSkipGram(_HierarchicalModel):
    """Skip-gram with a hierarchical softmax over a Huffman tree.

    Introduced in appendix A. ``model.loss(centers, contexts)`` is the mean of
    ``-log p(context | center)``, as for chapter 2's :class:`w2v_lib.skipgram.SkipGram`,
    so chapter 2's ``train`` trains it unchanged. With ``sparse=True`` (the default)
    the gradients hold only the rows a batch touched; ``torch.optim.SGD`` accepts
    them, and then a step costs no more for a large vocabulary than for a small one.
    """

    def __init__(self, tree: HuffmanTree, dim: int, sparse: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__(tree, dim, sparse, generator)

    def log_prob(self, centers: torch.Tensor, words: torch.Tensor) -> torch.Tensor:
        """``log p(word | center)`` for each (center, word) couple: ``(B,)``."""
        return self._path_log_probs(self.w_in(centers), words)

    def probabilities(self, centers: torch.Tensor) -> torch.Tensor:
        """``p(w | center)`` of every word of the vocabulary, ``(B, V)``: rows sum to 1."""
        return self._all_words(self.w_in(centers))

    def loss(self, centers: torch.Tensor, contexts: torch.Tensor) -> torch.Tensor:
        if centers.numel() == 0:
            raise ValueError("Empty batch: there are no (center, context) pairs to learn from.")
        return -self.log_prob(centers, contexts).mean()


class HierarchicalCBOW(_HierarchicalModel):
    """CBOW with a hierarchical softmax: the path of the center word is scored against
    ``h``, the mean (or sum) of the context vectors, as in chapter 3.

    Introduced in appendix A. ``model.loss(contexts, mask, centers)``, with the
    arguments of :class:`w2v_lib.cbow.CBOW`. ``whole_error=True`` gives every context
    word the whole of ``dL/dh``, as word2vec.c and gensim's ``cbow_mean=1`` do (see
    :class:`w2v_lib.negative_sampling.CBOWNS`); the default is the exact gradient.
    """

    def __init__(self, tree: HuffmanTree, dim: int, mean: bool = True, sparse: bool = True,
                 generator: torch.Generator | None = None, whole_error: bool = False) -> None:
        super().__init__(tree, dim, sparse, generator)
        self.mean = mean
        self.whole_error = whole_error

    def probabilities(self, contexts: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``p(w | context)`` of every word, ``(B, V)``: rows sum to 1."""
        return self._all_words(combine_contexts(self.w_in(contexts), mask, self.mean))

    def loss(self, contexts: torch.Tensor, mask: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
        if centers.numel() == 0:
            raise ValueError("Empty batch: there are no (contexts, center) examples to learn from.")
        slots = self.w_in(contexts)
        hidden = combine_contexts(slots, mask, self.mean)
        if self.mean and self.whole_error:
            # the value of the mean, the gradient of the sum (word2vec.c's update), as
            # in w2v_lib.negative_sampling.CBOWNS
            summed = combine_contexts(slots, mask, mean=False)
            hidden = summed - (summed - hidden).detach()
        return -self._path_log_probs(hidden, centers).mean()


def entropy_bits(counts: Sequence[int] | torch.Tensor) -> float:
    """The entropy of the unigram distribution, in bits: the lower bound on the expected
    code length of any prefix code (Shannon), which Huffman's code beats by less than
    one bit."""
    counts = torch.as_tensor(counts, dtype=torch.float64)
    share = counts[counts > 0] / counts.sum()
    return float(-(share * share.log2()).sum())



def draw_tree(tree: HuffmanTree, words: Sequence[str], ax=None, path_of: int | None = None,
              turn_probs: torch.Tensor | None = None):
    """Draw a small Huffman tree: inner nodes (each with its vector ``u_n``) as numbered
    squares, words as round leaves with their counts, bit 0 to the left.

    Introduced in appendix A. ``path_of`` highlights one word's path; ``turn_probs``,
    the probability of taking bit 0 at each inner node (shape ``(V - 1,)``), labels
    every branch with the probability of taking it. Returns the axes.
    """
    import matplotlib.pyplot as plt

    size = len(tree)
    if len(words) != size:
        raise ValueError(f"words must name the tree's {size} leaves, got {len(words)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * size + 1, 0.9 * int(tree.lengths.max()) + 1.2))
    # every node's children, read off the paths: ("inner", n) or ("leaf", w)
    below: dict[int, dict[int, tuple[str, int]]] = {}
    for word, (code, point) in enumerate(zip(tree.codes, tree.points)):
        for j, (bit, node) in enumerate(zip(code, point)):
            child = ("inner", point[j + 1]) if j + 1 < len(point) else ("leaf", word)
            below.setdefault(node, {})[bit] = child
    place: dict[tuple[str, int], tuple[float, float]] = {}

    def lay_out(node: tuple[str, int], depth: int, next_x: list[int]) -> float:
        # leaves get x = 0, 1, 2, ... from left to right; a parent sits above its children
        if node[0] == "leaf":
            x = float(next_x[0])
            next_x[0] += 1
        else:
            x = sum(lay_out(below[node[1]][bit], depth + 1, next_x) for bit in (0, 1)) / 2
        place[node] = (x, -depth)
        return x

    lay_out(("inner", tree.root), 0, [0])
    on_path = set()
    if path_of is not None:
        on_path = {("inner", p) for p in tree.points[path_of]} | {("leaf", path_of)}
    for node, kids in below.items():
        x0, y0 = place[("inner", node)]
        for bit, child in kids.items():
            x1, y1 = place[child]
            highlight = ("inner", node) in on_path and child in on_path
            ax.plot([x0, x1], [y0, y1], color="C3" if highlight else "0.6",
                    lw=3 if highlight else 1.2, zorder=1)
            label = str(bit)
            if turn_probs is not None:
                p0 = float(turn_probs[node])
                label += f": {p0 if bit == 0 else 1 - p0:.2f}"
            ax.text((x0 + x1) / 2 + (-0.08 if bit == 0 else 0.08), (y0 + y1) / 2, label,
                    ha="right" if bit == 0 else "left", va="center", fontsize=9)
    for (kind, index), (x, y) in place.items():
        if kind == "inner":
            ax.scatter([x], [y], s=420, marker="s", color="C1", zorder=2)
            ax.text(x, y, str(index), ha="center", va="center", fontsize=9, zorder=3)
        else:
            ax.scatter([x], [y], s=260, color="C0", zorder=2)
            ax.text(x, y - 0.28, f"{words[index]}\n({tree.counts[index]})", ha="center",
                    va="top", fontsize=9)
    ax.set_xlim(-0.8, size - 0.2)
    ax.set_ylim(-int(tree.lengths.max()) - 0.9, 0.4)
    ax.axis("off")
    return ax
