"""The exercise checks of chapter 6 accept the chapter's solutions and reject typical
wrong answers, each with a message that names what is wrong."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import pearsonr, rankdata, spearmanr

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_cosine_matrix, check_spearman, check_three_cos_add

CHAPTER_6 = "06_evaluation.ipynb"


def test_the_chapter_has_its_solutions():
    assert len(solution_sources(CHAPTER_6)) == 3


@pytest.mark.parametrize("name, check", [
    ("cosine_matrix", check_cosine_matrix),
    ("three_cos_add", check_three_cos_add),
    ("spearman", check_spearman),
])
def test_the_chapter_solutions_pass(name, check, capsys):
    verdict, out = run(check, solutions(CHAPTER_6)[name], capsys)
    assert verdict and "All " in out and " cases pass. Well done!" in out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: cosine_matrix still raises NotImplementedError.", None),
    (lambda a, b: a @ b.T, "✗ two 2-D vectors against one: at index [0, 0]: expected 0.6, got 6.", "normalise the rows first"),
    (lambda a, b: F.normalize(a, dim=1) @ b.T, "✗ two 2-D vectors against one: at index [0, 0]: expected 0.6, got 1.2.",
     "normalise the rows of B too"),
    (lambda a, b: F.normalize(a, dim=0) @ F.normalize(b, dim=0).T,
     "✗ two 2-D vectors against one: at index [0, 0]: expected 0.6, got 0.9487.", "(dim=1), not each column"),
    (lambda a, b: F.normalize(b, dim=1) @ F.normalize(a, dim=1).T,
     "✗ two 2-D vectors against one: expected shape (2, 1), got (1, 2) (it looks transposed).", None),
    (lambda a, b: F.cosine_similarity(a, b), "✗ two 2-D vectors against one: expected shape (2, 1), got (2,).", None),
])
def test_cosine_matrix_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_cosine_matrix, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out or hint in out


def test_cosine_matrix_reports_normalising_the_inputs_in_place(capsys):
    """The right cosines, from rows scaled to length 1 in place: chapter 6 passes the
    real embedding table to this function, which would come back rescaled."""
    def in_place(A, B):
        A /= A.norm(dim=1, keepdim=True)
        B /= B.norm(dim=1, keepdim=True)
        return A @ B.T

    verdict, out = run(check_cosine_matrix, in_place, capsys)
    assert verdict is False
    assert ("✗ two 2-D vectors against one: your function changed its argument `A` in place; "
            "the caller gets it back changed") in out


def scores(unit, a, b, c):
    return unit @ (unit[b] - unit[a] + unit[c])


def excluding(queries, low=-float("inf")):
    """3CosAdd that sets the scores of some query words (0 = a, 1 = b, 2 = c) to ``low``."""
    def answer(u, a, b, c):
        s = scores(u, a, b, c)
        s[[(a, b, c)[q] for q in queries]] = low
        return int(s.argmax())
    return answer


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: three_cos_add still raises NotImplementedError.", None),
    (lambda u, a, b, c: int(scores(u, a, b, c).argmax()),
     "✗ 5 words, where c itself scores highest: expected word 3, got word 2, which is c, one of the query "
     "words: they are never answers.", "exclude the three query words"),
    (lambda u, a, b, c: scores(u, a, b, c),
     "✗ 5 words, where c itself scores highest: expected a word index (an int), got a tensor of shape (5,).", None),
    (lambda u, a, b, c: float(scores(u, a, b, c).max()),
     "✗ 5 words, where c itself scores highest: expected a word index (an int), got float.", None),
    (lambda u, a, b, c: int(scores(u, a, b, c).argmin()),
     "✗ 5 words, where c itself scores highest: expected word 3 (score 0.9413), got word 4 (score -0.1961).", None),
    # only b and c excluded: a wins when a, b and c are close together
    (excluding([1, 2]), "✗ 5 words, where a scores highest once b and c are out: expected word 4, got word 0, "
     "which is a, one of the query words", "exclude a too"),
    # excluded by a score of 0 or -1: wins when every other word scores below it
    (excluding([0, 1, 2], low=0.0), "✗ 6 words, where every answer scores below -1: expected word 4, got word 0, "
     "which is b, one of the query words", "a score of 0 or -1 does not exclude a query word"),
    (excluding([0, 1, 2], low=-1.0), "✗ 6 words, where every answer scores below -1: expected word 4, got word 0, "
     "which is b, one of the query words", "a score of 0 or -1 does not exclude a query word"),
])
def test_three_cos_add_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_three_cos_add, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out


def test_three_cos_add_names_the_swapped_formula(capsys):
    def swapped(u, a, b, c):  # a - b + c
        s = scores(u, b, a, c)
        s[[a, b, c]] = -float("inf")
        return int(s.argmax())

    verdict, out = run(check_three_cos_add, swapped, capsys)
    assert verdict is False and "b - a + c" in out


def ordinal_ranks(values):
    return torch.tensor(values).argsort().argsort().double()


def argsort_once(values):  # the order that sorts the list, not the ranks
    return torch.tensor(values).argsort().double()


def shortcut(x, y):  # 1 - 6 sum d^2 / (n (n^2 - 1)): right only without ties
    d = torch.tensor(rankdata(x)) - torch.tensor(rankdata(y))
    return float(1 - 6 * (d ** 2).sum() / (len(x) * (len(x) ** 2 - 1)))


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: spearman still raises NotImplementedError.", None),
    (lambda x, y: float(pearsonr(x, y).statistic), "✗ no ties, a perfect order: expected 1, got 0.9393.",
     "that is Pearson's correlation of the values; rank them first."),
    (lambda x, y: float(pearsonr(ordinal_ranks(x), ordinal_ranks(y)).statistic), "✗ with ties: expected 0.7632, got 0.7.",
     "tied values share the average of their ranks"),
    (lambda x, y: 1, "✗ no ties, a perfect order: expected a float, got int.", None),
    (lambda x, y: np.float32(spearmanr(x, y).statistic),
     "✗ no ties, a perfect order: expected a float, got float32 (convert it with float(...)).", None),
    (lambda x, y: -float(pearsonr(ordinal_ranks(x), ordinal_ranks(y)).statistic),
     "✗ no ties, a perfect order: expected 1, got -1.", None),
    # the no-ties cases list their values out of order, and their ranks are not their
    # own inverse, so argsort alone (the inverse of the ranks) is caught there
    (lambda x, y: float(pearsonr(argsort_once(x), argsort_once(y)).statistic),
     "✓ no ties, a perfect order ✗ no ties, non-linear: expected -0.4, got -0.9.", "argsort gives the positions"),
    (shortcut, "✗ with ties: expected 0.7632, got 0.775.",
     "1 - 6 sum d^2 / (n (n^2 - 1)) holds only without ties"),
])
def test_spearman_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_spearman, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out


def test_spearman_shows_a_small_difference(capsys):
    """Off by 1e-5 (more than rounding, 1.7e-6 on four pairs; the check used to print
    "expected 1.000000, got 0.999990" for this, and "expected 0.800000, got
    0.800000" for a right float32 answer it rejected): the report prints digits
    enough to show the difference, and the difference itself."""
    verdict, out = run(check_spearman, lambda x, y: float(spearmanr(x, y).statistic) - 1e-5, capsys)
    assert verdict is False
    assert "✗ no ties, a perfect order: expected 1, got 0.99999 (off by 1e-05, more than rounding explains: 1.7e-06)." in out
