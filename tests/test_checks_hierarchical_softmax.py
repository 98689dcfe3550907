"""The exercise checks of appendix A accept the appendix's solutions and other correct
formulations, and reject typical wrong answers, each with a message that names what
is wrong."""

import heapq

import pytest
import torch
import torch.nn.functional as F

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_hs_grads, check_huffman_codes, check_path_log_probs
from w2v_lib.hierarchical_softmax import hierarchical_softmax_grads, huffman_tree

APPENDIX_A = "appendix_a_hierarchical_softmax.ipynb"


def test_the_appendix_has_its_solutions():
    assert len(solution_sources(APPENDIX_A)) == 3


@pytest.mark.parametrize("name, check", [
    ("huffman_codes", check_huffman_codes),
    ("path_log_probs", check_path_log_probs),
    ("hs_grads", check_hs_grads),
])
def test_the_appendix_solutions_pass(name, check, capsys):
    verdict, out = run(check, solutions(APPENDIX_A)[name], capsys)
    assert verdict and "cases pass" in out


# --- exercise A.1: huffman_codes -------------------------------------------------------------


def library_codes(counts):
    """word2vec.c's two-queue algorithm (the library), as tuples: a different correct
    formulation from the solution's heap, which breaks ties the other way."""
    tree = huffman_tree(counts)
    return tree.codes, tree.points


def heap_codes(counts, merge="smallest", bits=(0, 1), leaf_in_path=False, reverse=False,
               offset=None, numbering="creation"):
    """Huffman codes with a heap, with switches for the typical mistakes."""
    size = len(counts)
    sign = 1 if merge == "smallest" else -1
    heap = [(sign * c, w) for w, c in enumerate(counts)]
    heapq.heapify(heap)
    parent, bit = {}, {}
    for k, new in enumerate(range(size, 2 * size - 1)):
        (c0, a), (c1, b) = heapq.heappop(heap), heapq.heappop(heap)
        parent[a], parent[b], bit[a], bit[b] = new, new, bits[0], bits[1]
        heapq.heappush(heap, (c0 + c1, new))
    base = size if offset is None else offset
    codes, points = [], []
    for word in range(size):
        code, point, node = [], [], word
        if leaf_in_path:
            code.append(0)
            point.append(word)
        while node in parent:
            code.append(bit[node])
            up = parent[node] - base
            point.append(up if numbering == "creation" else size - 2 - up)
            node = parent[node]
        codes.append(code if reverse else code[::-1])
        points.append(point if reverse else point[::-1])
    return codes, points


def balanced_codes(counts):
    """A balanced tree that ignores the counts: every code has about log2(V) bits."""
    size = len(counts)
    depth = max(1, (size - 1).bit_length())
    codes = [[(w >> (depth - 1 - j)) & 1 for j in range(depth)] for w in range(size)]
    return codes, [[0] * depth for _ in range(size)]


@pytest.mark.parametrize("answer", [
    library_codes,
    heap_codes,
    lambda c: tuple(tuple(map(tuple, part)) for part in heap_codes(c)),  # tuples, not lists
    lambda c: [[list(map(float, x)) for x in heap_codes(c)[0]], heap_codes(c)[1]],  # 0.0/1.0 bits
])
def test_huffman_codes_accepts_other_correct_formulations(answer, capsys):
    verdict, out = run(check_huffman_codes, answer, capsys)
    assert verdict, out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda c: heap_codes(c, reverse=True), "word 1 (count 2): expected code [0, 1] and points [1, 0], "
     "got code [1, 0] and points [0, 1]", "from the root down"),
    (lambda c: heap_codes(c, bits=(1, 0)), "word 0 (count 4): expected code [1] and points [1], got code [0]",
     "the first taken (the lighter) gets bit 0"),
    (lambda c: heap_codes(c, leaf_in_path=True), "expected code [1] and points [1], got code [1, 0] "
     "and points [1, 0]", "a leaf, is not one"),
    (lambda c: heap_codes(c, merge="largest"), "three words, counts 4, 2, 1: word 0 (count 4): "
     "expected code [1] and points [1], got code [0, 0]", "smallest"),
    (lambda c: heap_codes(c, offset=0), "got code [1] and points [4]", "number the inner nodes from 0"),
    (lambda c: heap_codes(c, numbering="root first"), "expected code [1] and points [1], got code [1] "
     "and points [0]", None),
    (balanced_codes, "three words, counts 4, 2, 1: word 0", None),
    (lambda c: heap_codes(c)[0], "expected a pair (codes, points)", None),
    (lambda c: (torch.zeros(len(c), 3), torch.zeros(len(c), 3)), "codes: expected a list of lists", None),
    (lambda c: (heap_codes(c)[0], [p[:-1] for p in heap_codes(c)[1]]), "word 0: its code has 1 bits "
     "but its points list 0 nodes", None),
])
def test_huffman_codes_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_huffman_codes, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


def test_huffman_codes_names_the_leaf_on_the_path(capsys):
    # the solution's heap puts the leaf first when walking up: the hint must still fire
    def with_leaf(counts):
        tree = huffman_tree(counts)
        return ([list(c) + [0] for c in tree.codes],
                [list(p) + [w] for w, p in enumerate(tree.points)])

    _, out = run(check_huffman_codes, with_leaf, capsys)
    assert "a leaf, is not one" in out


def test_huffman_codes_catches_mistakes_that_only_ties_reveal(capsys):
    # right wherever the tree is unique, wrong on ties: the tie cases check the rules
    def bits_by_index_on_ties(counts):
        codes, points = library_codes(counts)
        if len(set(counts)) == len(counts):
            return codes, points
        # a tree with the heavier child on bit 0 somewhere: swap the bits of one word pair
        return [tuple(1 - b for b in c) for c in codes], points

    verdict, out = run(check_huffman_codes, bits_by_index_on_ties, capsys)
    assert verdict is False
    assert "1,000 Zipf-like counts, with ties (any tie-breaking)" in out
    assert "the first (lighter) node taken gets bit 0" in out


def test_huffman_codes_rejects_a_non_optimal_tree_on_ties(capsys):
    def lopsided(counts):
        if len(set(counts)) == len(counts):
            return library_codes(counts)
        # a caterpillar: a valid tree with nodes in creation order, but far from optimal
        size = len(counts)
        codes = [(1,) * w + (0,) for w in range(size - 1)] + [(1,) * (size - 1)]
        points = [tuple(range(size - 2, size - 3 - w, -1)) for w in range(size)]
        points[-1] = points[-2]
        return codes, points

    verdict, out = run(check_huffman_codes, lopsided, capsys)
    assert verdict is False and "Huffman's tree reaches" in out


# --- exercise A.2: path_log_probs -----------------------------------------------------------


def scores_of(h, n):
    return torch.einsum("bld,bd->bl", n, h)


@pytest.mark.parametrize("answer", [
    lambda h, n, c, m: (-F.softplus(-(1 - 2 * c) * scores_of(h, n)) * m).sum(1),
    lambda h, n, c, m: torch.where(m, F.logsigmoid(torch.where(c == 0, 1, -1) * scores_of(h, n)),
                                   0).sum(1),
    # a different summation order: node by node
    lambda h, n, c, m: sum(F.logsigmoid((1 - 2 * c[:, j]) * (n[:, j] * h).sum(-1)) * m[:, j]
                           for j in range(c.shape[1])),
])
def test_path_log_probs_accepts_other_correct_formulations(answer, capsys):
    verdict, out = run(check_path_log_probs, answer, capsys)
    assert verdict, out


def log_probs(h, n, c, m, sign=None, use_mask=True, reduce="sum"):
    s = scores_of(h, n)
    signs = 1 - 2 * c if sign is None else sign(c)
    terms = F.logsigmoid(signs * s) * (m if use_mask else 1)
    return terms.sum(1) if reduce == "sum" else terms.mean(1)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda h, n, c, m: log_probs(h, n, c, m, sign=lambda c: 2 * c - 1),
     "one pair, a path of two nodes, d=2: at index [0]: expected", "the sign is 1 - 2b"),
    (lambda h, n, c, m: log_probs(h, n, c, m, use_mask=False), "3 pairs, paths of 1 to 4 nodes, d=4: at index",
     "the rest is padding"),
    (lambda h, n, c, m: log_probs(h, n, c, m).exp(), "one pair, a path of two nodes, d=2: at index [0]: expected",
     "not the probability"),
    (lambda h, n, c, m: log_probs(h, n, c, m, sign=lambda c: torch.ones_like(c)), "at index [0]: expected",
     "the bits matter"),
    (lambda h, n, c, m: torch.log(torch.prod(torch.where(m, torch.sigmoid((1 - 2 * c) * scores_of(h, n)), 1), 1)),
     "64 pairs with large scores (float32): at index", None),
    (lambda h, n, c, m: (torch.log(torch.sigmoid((1 - 2 * c) * scores_of(h, n))) * m).sum(1),
     "64 pairs with large scores (float32): at index", None),
    (lambda h, n, c, m: log_probs(h, n, c, m, reduce="mean"), "one pair, a path of two nodes, d=2: at index [0]", None),
    (lambda h, n, c, m: log_probs(h, n, c, m)[:, None], "expected shape (1,), got (1, 1)", None),
    (lambda h, n, c, m: -log_probs(h, n, c, m), "one pair, a path of two nodes, d=2: at index [0]: expected", None),
    (lambda h, n, c, m: log_probs(h, n, c, m).float(), "expected dtype torch.float64, got torch.float32", None),
])
def test_path_log_probs_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_path_log_probs, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


def test_path_log_probs_shows_the_infinity(capsys):
    # the naive log(sigmoid) is right for small scores and -inf for large ones (nan in
    # the padding): the report must show what it got next to the finite value expected
    naive = lambda h, n, c, m: (torch.log(torch.sigmoid((1 - 2 * c) * scores_of(h, n))) * m).sum(1)  # noqa: E731
    _, out = run(check_path_log_probs, naive, capsys)
    assert "64 pairs with large scores (float32): at index" in out
    assert "got nan" in out and "use F.logsigmoid" in out


# --- exercise A.3: hs_grads -------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    hierarchical_softmax_grads,
    # through the sign t = 1 - 2b: d/ds [-log sigmoid(t s)] = -t sigmoid(-t s)
    lambda h, n, c, m: (lambda d: ((d[..., None] * n).sum(1), d[..., None] * h[:, None, :]))(
        -(1 - 2 * c) * torch.sigmoid(-(1 - 2 * c) * scores_of(h, n)) * m / len(h)),
    # with einsum and the mean taken at the end
    lambda h, n, c, m: (lambda d: (torch.einsum("bl,bld->bd", d, n) / len(h),
                                   torch.einsum("bl,bd->bld", d, h) / len(h)))(
        (torch.sigmoid(scores_of(h, n)) - 1 + c) * m),
])
def test_hs_grads_accepts_other_correct_formulations(answer, capsys):
    verdict, out = run(check_hs_grads, answer, capsys)
    assert verdict, out


def grads(h, n, c, m, target=None, use_mask=True, mean=True, sign=1.0):
    s = scores_of(h, n)
    delta = sign * (torch.sigmoid(s) - (1 - c if target is None else target(c)))
    delta = delta * (m if use_mask else 1) / (len(h) if mean else 1)
    return (delta[..., None] * n).sum(1), delta[..., None] * h[:, None, :]


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda h, n, c, m: grads(h, n, c, m, target=lambda c: c), "one pair, a path of two nodes, d=2: grad_hidden",
     "sigmoid(s) - (1 - b)"),
    (lambda h, n, c, m: grads(h, n, c, m, use_mask=False), "3 pairs, paths of 1 to 4 nodes, d=4: grad_hidden",
     "multiply by the mask"),
    (lambda h, n, c, m: grads(h, n, c, m, mean=False), "3 pairs, paths of 1 to 4 nodes, d=4: grad_hidden",
     "divide by B"),
    (lambda h, n, c, m: grads(h, n, c, m, sign=-1.0), "one pair, a path of two nodes, d=2: grad_hidden",
     "the loss is its negative"),
    (lambda h, n, c, m: (grads(h, n, c, m)[0], grads(h, n, c, m)[1].sum(1)),
     "grad_nodes: expected shape (1, 2, 2), got (1, 2)", None),
    (lambda h, n, c, m: grads(h, n, c, m)[0], "expected a tuple of 2 tensors", None),
    (lambda h, n, c, m: grads(h, n, c, m)[::-1], "grad_hidden: expected shape (1, 2), got (1, 2, 2)", None),
])
def test_hs_grads_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_hs_grads, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out
