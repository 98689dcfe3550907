"""The exercise checks of chapter 6 accept the chapter's solutions and reject typical
wrong answers, each with a message that names what is wrong."""

import pytest
import torch
import torch.nn.functional as F
from scipy.stats import pearsonr

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
    assert verdict and "cases pass" in out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda a, b: a @ b.T, "at index [0, 0]: expected 0.6, got 6", "normalise the rows first"),
    (lambda a, b: F.normalize(a, dim=1) @ b.T, "expected 0.6, got 1.2", "normalise the rows of B too"),
    (lambda a, b: F.normalize(a, dim=0) @ F.normalize(b, dim=0).T, "at index [0, 0]", "(dim=1), not each column"),
    (lambda a, b: F.normalize(b, dim=1) @ F.normalize(a, dim=1).T, "expected shape (2, 1), got (1, 2)", None),
    (lambda a, b: F.cosine_similarity(a, b), "expected shape (2, 1), got (2,)", None),
])
def test_cosine_matrix_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_cosine_matrix, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def scores(unit, a, b, c):
    return unit @ (unit[b] - unit[a] + unit[c])


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda u, a, b, c: int(scores(u, a, b, c).argmax()), "expected word 3, got word 2", "exclude the three query words"),
    (lambda u, a, b, c: scores(u, a, b, c), "expected a word index (an int), got a tensor of shape (5,)", None),
    (lambda u, a, b, c: float(scores(u, a, b, c).max()), "expected a word index (an int), got float", None),
    (lambda u, a, b, c: int(scores(u, a, b, c).argmin()), "expected word 3, got word 4", None),
])
def test_three_cos_add_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_three_cos_add, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def test_three_cos_add_names_the_swapped_formula(capsys):
    def swapped(u, a, b, c):  # a - b + c
        s = scores(u, b, a, c)
        s[[a, b, c]] = -float("inf")
        return int(s.argmax())

    verdict, out = run(check_three_cos_add, swapped, capsys)
    assert verdict is False and "b - a + c" in out


def ordinal_ranks(values):
    return torch.tensor(values).argsort().argsort().double()


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda x, y: float(pearsonr(x, y).statistic), "no ties, a perfect order: expected 1.000000, got 0.939336", "rank them first"),
    (lambda x, y: float(pearsonr(ordinal_ranks(x), ordinal_ranks(y)).statistic), "with ties: expected", "average of their ranks"),
    (lambda x, y: 1, "expected a float, got int", None),
    (lambda x, y: -float(pearsonr(ordinal_ranks(x), ordinal_ranks(y)).statistic), "expected 1.000000, got -1.000000", None),
])
def test_spearman_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_spearman, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out
