"""Checks for the exercises of appendix A: the Huffman codes of a vocabulary, the
log-probability of a word's path, and the gradients of the hierarchical softmax."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ..hierarchical_softmax import hierarchical_softmax_loss, huffman_tree, path_log_probs
from .engine import Approx, Case, Mistake, compare_tensor_tuples, compare_tensors, run_check
from .rounding import UNIT, gamma

__all__ = ["check_huffman_codes", "check_path_log_probs", "check_hs_grads"]


# --- exercise A.1: the Huffman codes and points of a vocabulary ------------------------


@dataclass(frozen=True)
class _Tree:
    """What a case expects: the counts, and the codes and points of word2vec.c's tree.
    ``unique`` says whether every correct answer must equal them exactly (no merge has
    a tie); otherwise any Huffman tree with word2vec.c's conventions is right."""

    counts: tuple[int, ...]
    codes: tuple[tuple[int, ...], ...]
    points: tuple[tuple[int, ...], ...]
    unique: bool


def _without_ties(counts: Sequence[int]) -> bool:
    """True when the counts and all merged weights are pairwise distinct."""
    heap, merged = list(counts), []
    heapq.heapify(heap)
    while len(heap) > 1:
        merged.append(heapq.heappop(heap) + heapq.heappop(heap))
        heapq.heappush(heap, merged[-1])
    weights = list(counts) + merged
    return len(set(weights)) == len(weights)


def _reference_tree(counts: list[int]) -> _Tree:
    tree = huffman_tree(counts)
    return _Tree(tuple(counts), tree.codes, tree.points, _without_ties(counts))


def _as_paths(got: Any, size: int) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]] | str:
    """The learner's ``(codes, points)`` as two lists of tuples of ints, or what is wrong."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return ("expected a pair (codes, points), two lists with one entry per word, got "
                f"{type(got).__name__}" + (f" of length {len(got)}." if isinstance(got, (tuple, list)) else "."))
    parts = []
    for name, part in zip(("codes", "points"), got):
        if isinstance(part, torch.Tensor):
            return f"{name}: expected a list of lists (paths differ in length), got a tensor."
        try:
            part = [tuple(int(x) for x in path) for path in part]
        except TypeError:
            return f"{name}: expected a list with one list of integers per word."
        if len(part) != size:
            return f"{name}: expected one entry per word, {size}, got {len(part)}."
        parts.append(part)
    codes, points = parts
    for word, (code, point) in enumerate(zip(codes, points)):
        if len(code) != len(point):
            return (f"word {word}: its code has {len(code)} bits but its points list "
                    f"{len(point)} nodes; a path has one inner node per bit.")
    return codes, points


def _structure_problem(counts: tuple[int, ...], codes, points) -> str | None:
    """What breaks the rules of word2vec.c's tree, for answers that may break ties
    differently: one full binary tree, inner nodes numbered in the order they are
    made, bit 0 for the lighter child, and an optimal (Huffman) total length."""
    size = len(counts)
    below: dict[int, dict[int, tuple[str, int]]] = {}
    for word, (code, point) in enumerate(zip(codes, points)):
        if not code:
            return f"word {word} has an empty code; with 2 or more words every path has a bit."
        if point[0] != size - 2:
            return (f"word {word}: its path starts at node {point[0]}; every path starts at "
                    f"the root, the last inner node made, {size - 2}.")
        for j, (bit, node) in enumerate(zip(code, point)):
            if bit not in (0, 1) or not 0 <= node <= size - 2:
                return (f"word {word}: bit {bit} at node {node}; bits are 0 or 1 and inner "
                        f"nodes are numbered 0 to {size - 2}.")
            child = ("inner", point[j + 1]) if j + 1 < len(point) else ("leaf", word)
            if below.setdefault(node, {}).setdefault(bit, child) != child:
                return (f"word {word}: node {node}, bit {bit} leads to two different places; "
                        "the codes do not describe one tree.")
    if sorted(below) != list(range(size - 1)) or any(len(v) != 2 for v in below.values()):
        return f"the paths do not use each of the {size - 1} inner nodes with both bits."
    weight: dict[tuple[str, int], int] = {("leaf", w): c for w, c in enumerate(counts)}
    for node in range(size - 1):  # children are made before their parent
        kids = below[node]
        if any(k not in weight for k in kids.values()):
            return (f"inner node {node} has a child made after it; number the inner nodes "
                    "in the order the merges make them.")
        weight[("inner", node)] = weight[kids[0]] + weight[kids[1]]
        if weight[kids[0]] > weight[kids[1]]:
            return (f"at inner node {node} the child with bit 0 weighs {weight[kids[0]]} and "
                    f"the one with bit 1 {weight[kids[1]]}; the first (lighter) node taken gets bit 0.")
        if node and weight[("inner", node)] < weight[("inner", node - 1)]:
            return (f"inner node {node} weighs less than node {node - 1}; the merges take the "
                    "two lightest nodes, so their weights never decrease.")
    total = sum(c * len(code) for c, code in zip(counts, codes))
    best = sum(c * len(code) for c, code in zip(counts, huffman_tree(list(counts)).codes))
    if total != best:
        return (f"the sum of count x code length is {total:,}; Huffman's tree reaches {best:,}. "
                "Merge the two nodes of smallest count every time.")
    return None


def _compare_trees(got: Any, expected: _Tree | tuple) -> str | None:
    if not isinstance(expected, _Tree):  # a typical mistake's (codes, points)
        codes, points = expected
        expected = _Tree((0,) * len(codes), tuple(map(tuple, codes)),
                         tuple(map(tuple, points)), True)
    paths = _as_paths(got, len(expected.counts))
    if isinstance(paths, str):
        return paths
    codes, points = paths
    if not expected.unique:
        return _structure_problem(expected.counts, codes, points)
    for word, (code, point) in enumerate(zip(codes, points)):
        if code != expected.codes[word] or point != expected.points[word]:
            return (f"word {word} (count {expected.counts[word]}): expected code "
                    f"{list(expected.codes[word])} and points {list(expected.points[word])}, "
                    f"got code {list(code)} and points {list(point)}.")
    return None


def _merge_largest(counts: list[int]) -> tuple[list[list[int]], list[list[int]]]:
    """The tree of a typical mistake: each merge takes the two *largest* nodes."""
    size = len(counts)
    heap = [(-c, w) for w, c in enumerate(counts)]
    heapq.heapify(heap)
    parent, bit = {}, {}
    for new in range(size, 2 * size - 1):
        (c0, a), (c1, b) = heapq.heappop(heap), heapq.heappop(heap)
        parent[a], parent[b], bit[a], bit[b] = new, new, 0, 1
        heapq.heappush(heap, (c0 + c1, new))
    codes, points = [], []
    for word in range(size):
        code, point, node = [], [], word
        while node in parent:
            code.append(bit[node])
            point.append(parent[node] - size)
            node = parent[node]
        codes.append(code[::-1])
        points.append(point[::-1])
    return codes, points


def _mistaken(counts: list[int], flip=False, reverse=False, with_leaf=False,
              largest=False, node_ids=False) -> tuple[list[list[int]], list[list[int]]]:
    """A typical wrong answer, built from a correct tree (or, for ``largest``, from a
    tree whose merges take the two largest counts)."""
    size = len(counts)
    if largest:
        codes, points = _merge_largest(counts)
    else:
        tree = huffman_tree(counts)
        codes, points = [list(c) for c in tree.codes], [list(p) for p in tree.points]
    if flip:
        codes = [[1 - b for b in c] for c in codes]
    if reverse:
        codes, points = [c[::-1] for c in codes], [p[::-1] for p in points]
    if with_leaf:
        points = [p + [w] for w, p in enumerate(points)]
        codes = [c + [0] for c in codes]
    if node_ids:
        points = [[p + size for p in ps] for ps in points]
    return codes, points


def check_huffman_codes(huffman_codes: Callable[[list[int]], tuple[list, list]]) -> bool:
    """Check exercise A.1: ``huffman_codes(counts)`` returns ``(codes, points)``, for each
    word the bits of its path and the inner nodes on it, from the root down, as
    word2vec.c builds them (the first node taken gets bit 0; inner nodes numbered from 0
    in the order they are made). Where ties allow several Huffman trees, any is right."""
    generator = torch.Generator().manual_seed(18)
    distinct = sorted(torch.randint(1, 10**12, (5_000,), generator=generator).tolist(), reverse=True)
    zipf = (1e5 / torch.arange(1, 1_001, dtype=torch.float64)).round().clamp(min=1).long().tolist()
    cases = [
        Case("three words, counts 4, 2, 1", ([4, 2, 1],)),
        Case("five words, counts 10, 6, 5, 3, 1", ([10, 6, 5, 3, 1],)),
        Case("six words, counts not sorted", ([3, 40, 7, 12, 1, 25],)),
        Case("5,000 words with distinct counts", (distinct,)),
        Case("1,000 Zipf-like counts, with ties (any tie-breaking)", (zipf,)),
        Case("64 words of equal count (ties everywhere)", ([7] * 64,)),
    ]
    mistakes = [
        Mistake(lambda c: _mistaken(c, reverse=True),
                "list each path from the root down to the word; these run from the word up."),
        Mistake(lambda c: _mistaken(c, flip=True),
                "of the two nodes merged, the first taken (the lighter) gets bit 0, the second bit 1."),
        Mistake(lambda c: _mistaken(c, with_leaf=True),
                "the points are the inner nodes on the path; the word itself, a leaf, is not one."),
        Mistake(lambda c: _mistaken(c, largest=True),
                "merge the two nodes of *smallest* count, so that frequent words end up near the root."),
        Mistake(lambda c: _mistaken(c, node_ids=True),
                "number the inner nodes from 0: the first merge makes node 0 and the root is V - 2."),
    ]
    return run_check("huffman_codes", huffman_codes, cases, _reference_tree, _compare_trees, mistakes)


# --- exercise A.2: the log-probability of a path ------------------------------------------


def _path_cases(seed: int) -> list[Case]:
    """Batches of (hidden, nodes, codes, mask), from a one-node path to realistic ones.
    The padding holds random vectors and bits, so an answer that ignores the mask is
    caught; the last case has a confident model's large scores."""
    generator = torch.Generator().manual_seed(seed)
    cases = []
    for name, batch, length, dim, scale, dtype in [
            ("one pair, a path of two nodes, d=2", 1, 2, 2, 1.0, torch.float64),
            ("3 pairs, paths of 1 to 4 nodes, d=4", 3, 4, 4, 1.0, torch.float64),
            ("512 pairs, paths up to 18 nodes, d=100", 512, 18, 100, 0.1, torch.float32),
            ("64 pairs with large scores (float32)", 64, 12, 50, 6.0, torch.float32)]:
        hidden = torch.randn(batch, dim, generator=generator, dtype=dtype)
        nodes = torch.randn(batch, length, dim, generator=generator, dtype=dtype) * scale
        codes = torch.randint(0, 2, (batch, length), generator=generator).to(dtype)
        codes[0, :2] = torch.tensor([0.0, 1.0])[:length]  # both kinds of turn, from the first case on
        lengths = torch.randint(1, length + 1, (batch,), generator=generator)
        lengths[0] = length
        mask = torch.arange(length) < lengths[:, None]
        cases.append(Case(name, (hidden, nodes, codes, mask)))
    return cases


def _scores(hidden, nodes):
    return (nodes * hidden[:, None, :]).sum(-1)


def check_path_log_probs(path_log_probs_fn: Callable[..., torch.Tensor]) -> bool:
    """Check exercise A.2: ``path_log_probs(hidden, nodes, codes, mask)`` returns, for each
    example, ``sum_j log sigmoid((1 - 2 b_j) u_j . h)`` over the real nodes of its path,
    shape ``(B,)``, finite even for large scores."""
    def variant(h, n, c, m, sign=None, use_mask=True, log=True):
        s = _scores(h, n)
        signs = 1 - 2 * c if sign is None else sign(c)
        terms = torch.nn.functional.logsigmoid(signs * s) * (m.to(s.dtype) if use_mask else 1)
        total = terms.sum(1)
        return total if log else total.exp()

    mistakes = [
        Mistake(lambda h, n, c, m: variant(h, n, c, m, sign=lambda c: 2 * c - 1),
                "bit 0 is the turn taken with probability sigmoid(u . h), bit 1 the one "
                "with sigmoid(-u . h): the sign is 1 - 2b."),
        Mistake(lambda h, n, c, m: variant(h, n, c, m, use_mask=False),
                "only the nodes where mask is True are on the path; the rest is padding."),
        Mistake(lambda h, n, c, m: variant(h, n, c, m, log=False),
                "return the log-probability, the sum of the logs, not the probability."),
        Mistake(lambda h, n, c, m: variant(h, n, c, m, sign=lambda c: torch.ones_like(c)),
                "the bits matter: a turn with bit 1 has probability sigmoid(-u . h)."),
    ]

    def compare(got: Any, expected: Approx | torch.Tensor) -> str | None:
        problem = compare_tensors(got, expected)
        if problem and got.shape == expected.shape and not bool(torch.isfinite(got).all()):
            # the classic: log(sigmoid(x)) is log(0) = -inf once sigmoid(x) underflows
            problem += (" Large scores overflow log(sigmoid(x)) to -inf (and -inf times a "
                        "mask of 0 is nan): use F.logsigmoid, which stays finite.")
        return problem

    return run_check("path_log_probs", path_log_probs_fn, _path_cases(19), _exact_log_probs,
                     compare, mistakes)


def _score_error(hidden: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
    """How far a float32 score u . h, a dot product of length d added in any order, may
    land from the exact one: gamma(d) times the sum of |products|, ``(B, L)``."""
    return gamma(hidden.shape[-1]) * (nodes.abs() * hidden.abs()[:, None, :]).sum(-1)


def _exact_log_probs(hidden, nodes, codes, mask) -> Approx:
    """The log-probabilities in float64, with the allowance of a float32 answer. Each
    score is off by its dot product's rounding, which moves log sigmoid by as much (its
    slope is below 1); log sigmoid adds a few roundings of its value and of its argument;
    the sum of up to L terms adds gamma(L) times their absolute sum."""
    h, n = hidden.double(), nodes.double()
    on_path = mask.double()
    exact = path_log_probs(h, n, codes.double(), mask)
    terms = torch.nn.functional.logsigmoid((1 - 2 * codes.double()) * _scores(h, n)).abs()
    term_error = _score_error(h, n) + 6 * UNIT * terms + 2 * UNIT
    error = (on_path * term_error).sum(1) + gamma(mask.shape[1]) * (on_path * terms).sum(1)
    return Approx(exact, error, hidden.dtype)


# --- exercise A.3: the gradients of the hierarchical softmax ------------------------------


def _autograd_hs(hidden, nodes, codes, mask):
    hidden, nodes = hidden.clone().requires_grad_(), nodes.clone().requires_grad_()
    hierarchical_softmax_loss(hidden, nodes, codes, mask).backward()
    return hidden.grad, nodes.grad


def check_hs_grads(hs_grads: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> bool:
    """Check exercise A.3: ``hs_grads(hidden, nodes, codes, mask)`` returns the gradients of
    the mean of ``-log p(w | c)`` over the batch with respect to ``hidden`` ``(B, d)`` and
    ``nodes`` ``(B, L, d)`` (zero in the padding), against autograd."""
    def variant(h, n, c, m, target=None, use_mask=True, mean=True, sign=1.0):
        s = _scores(h, n)
        delta = sign * (torch.sigmoid(s) - (1 - c if target is None else target(c)))
        if use_mask:
            delta = delta * m.to(s.dtype)
        if mean:
            delta = delta / h.shape[0]
        return (delta[..., None] * n).sum(1), delta[..., None] * h[:, None, :]

    mistakes = [
        Mistake(lambda h, n, c, m: variant(h, n, c, m, target=lambda c: c),
                "the target of a turn is 1 for bit 0 and 0 for bit 1: the score's gradient "
                "is sigmoid(s) - (1 - b)."),
        Mistake(lambda h, n, c, m: variant(h, n, c, m, use_mask=False),
                "padding is not on the path: multiply by the mask, so it gets no gradient."),
        Mistake(lambda h, n, c, m: variant(h, n, c, m, mean=False),
                "the loss is the mean over the batch: divide by B."),
        Mistake(lambda h, n, c, m: variant(h, n, c, m, sign=-1.0),
                "that is the gradient of the log-likelihood; the loss is its negative."),
    ]
    return run_check("hs_grads", hs_grads, _path_cases(20)[:3], _exact_hs_grads,
                     compare_tensor_tuples(["grad_hidden", "grad_nodes"]), mistakes)


def _exact_hs_grads(hidden, nodes, codes, mask) -> tuple[Approx, Approx]:
    """The two gradients by autograd in float64, with the allowance of a float32 answer.
    delta = sigmoid(s) - (1 - b) is off by a quarter of the score's rounding (sigmoid's
    slope is at most 1/4) and a few roundings; grad_nodes = delta h adds one product;
    grad_hidden = sum_j delta_j u_j adds a sum of L products in any order."""
    h, n, c = hidden.double(), nodes.double(), codes.double()
    exact = _autograd_hs(h, n, c, mask)
    batch, length = mask.shape
    on_path = mask.double()
    delta = (torch.sigmoid(_scores(h, n)) - (1 - c)) * on_path
    delta_error = (_score_error(h, n) / 4 + 4 * UNIT) * on_path
    hidden_error = ((delta_error[..., None] * n.abs()).sum(1)
                    + gamma(length + 2) * (delta.abs()[..., None] * n.abs()).sum(1))
    nodes_error = (delta_error + 2 * UNIT * delta.abs())[..., None] * h.abs()[:, None, :]
    errors = [e / batch + 2 * UNIT * x.abs() for e, x in zip((hidden_error, nodes_error), exact)]
    return tuple(Approx(x, e, t.dtype) for x, e, t in zip(exact, errors, (hidden, nodes)))
