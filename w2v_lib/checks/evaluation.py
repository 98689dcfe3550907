"""Checks for the exercises of chapter 6: cosine similarity over matrices, 3CosAdd with
the query words excluded, and the Spearman rank correlation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from scipy.stats import pearsonr, spearmanr

from .engine import Case, Mistake, compare_tensors, run_check, short_repr

__all__ = ["check_cosine_matrix", "check_three_cos_add", "check_spearman"]


# --- exercise 6.1: all cosines between two sets of vectors ---------------------------


def _cosines(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return F.normalize(a, dim=1) @ F.normalize(b, dim=1).T


def check_cosine_matrix(cosine_matrix: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check exercise 6.1: ``cosine_matrix(A, B)`` returns the ``(n, m)`` matrix of the
    cosine similarities between the rows of ``A`` ``(n, d)`` and of ``B`` ``(m, d)``."""
    g = torch.Generator().manual_seed(6)
    cases = [Case("two 2-D vectors against one", (torch.tensor([[3.0, 4.0], [1.0, 0.0]]), torch.tensor([[2.0, 0.0]]))),
             Case("4 against 3, d=5", (torch.randn(4, 5, generator=g), torch.randn(3, 5, generator=g) * 10)),
             Case("1,000 against 20,000, d=100", (torch.randn(1000, 100, generator=g), torch.randn(20_000, 100, generator=g)))]
    mistakes = [
        Mistake(lambda a, b: a @ b.T, "divide each dot product by the two lengths: normalise the rows first."),
        Mistake(lambda a, b: F.normalize(a, dim=1) @ b.T, "normalise the rows of B too."),
        Mistake(lambda a, b: F.normalize(a, dim=0) @ F.normalize(b, dim=0).T,
                "normalise each row (dim=1), not each column."),
    ]
    return run_check("cosine_matrix", cosine_matrix, cases, _cosines, compare_tensors, mistakes)


# --- exercise 6.2: 3CosAdd with the query words excluded -----------------------------


def _three_cos_add(unit: torch.Tensor, a: int, b: int, c: int) -> int:
    scores = unit @ (unit[b] - unit[a] + unit[c])
    scores[[a, b, c]] = -float("inf")
    return int(scores.argmax())


def _compare_index(got: Any, expected: int) -> str | None:
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, int) or isinstance(got, bool):
        return f"expected a word index (an int), got {short_repr(got) if isinstance(got, torch.Tensor) else type(got).__name__}."
    return None if got == expected else f"expected word {expected}, got word {got}."


def _analogy_cases() -> list[Case]:
    g = torch.Generator().manual_seed(7)
    cases = []
    # a small world where b - a + c is nearest to c itself unless the query is excluded
    tiny = F.normalize(torch.tensor([[1.0, 0, 0], [1, 0.2, 0], [0, 0, 1], [0.2, 0.6, 1], [0, -1, 0]]), dim=1)
    cases.append(Case("5 words, where c itself scores highest", (tiny, 0, 1, 2)))
    for name, vocab_size, dim in [("200 words, d=10", 200, 10), ("30,000 words, d=100", 30_000, 100)]:
        unit = F.normalize(torch.randn(vocab_size, dim, generator=g), dim=1)
        a, b, c = torch.randperm(vocab_size, generator=g)[:3].tolist()
        cases.append(Case(name, (unit, a, b, c)))
    return cases


def check_three_cos_add(three_cos_add: Callable[[torch.Tensor, int, int, int], int]) -> bool:
    """Check exercise 6.2: ``three_cos_add(unit, a, b, c)`` returns the index of the word
    whose unit vector has the highest ``cos(x, b) - cos(x, a) + cos(x, c)``, never ``a``,
    ``b`` or ``c`` themselves."""
    def unexcluded(unit, a, b, c):
        return int((unit @ (unit[b] - unit[a] + unit[c])).argmax())

    mistakes = [
        Mistake(unexcluded, "exclude the three query words: otherwise b or c usually wins."),
        Mistake(lambda u, a, b, c: _three_cos_add(u, b, a, c), "it is b - a + c: king - man + woman."),
    ]
    return run_check("three_cos_add", three_cos_add, _analogy_cases(), _three_cos_add, _compare_index, mistakes)


# --- exercise 6.3: the Spearman rank correlation --------------------------------------


def _compare_float(got: Any, expected: float) -> str | None:
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, float):
        return f"expected a float, got {type(got).__name__}."
    return None if abs(got - expected) < 1e-9 else f"expected {expected:.6f}, got {got:.6f}."


def check_spearman(spearman: Callable[[list[float], list[float]], float]) -> bool:
    """Check exercise 6.3: ``spearman(x, y)`` returns Spearman's rank correlation of two
    lists of numbers as a float, with tied values given the average of their ranks."""
    g = torch.Generator().manual_seed(8)
    human = (torch.randint(0, 11, (353,), generator=g) / 1.0).tolist()  # many ties, as in WordSim353
    model = (torch.tensor(human) / 10 + torch.randn(353, generator=g)).tolist()
    cases = [Case("no ties, a perfect order", ([1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 35.0, 80.0])),
             Case("no ties, non-linear", ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 4.0, 2.0, 16.0, 8.0])),
             Case("with ties", ([1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 1.0, 4.0, 4.0, 6.0])),
             Case("353 pairs with ties, like WordSim353", (human, model))]
    mistakes = [
        Mistake(lambda x, y: float(pearsonr(x, y).statistic), "that is Pearson's correlation of the values; rank them first."),
        Mistake(lambda x, y: float(pearsonr(torch.tensor(x).argsort().argsort(), torch.tensor(y).argsort().argsort()).statistic),
                "tied values share the average of their ranks (scipy.stats.rankdata does that)."),
    ]
    return run_check("spearman", spearman, cases, lambda x, y: float(spearmanr(x, y).statistic), _compare_float, mistakes)
