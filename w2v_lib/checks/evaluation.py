"""Checks for the exercises of chapter 6: a prediction of how a vector's length follows
its word's count, 3CosAdd with the query words excluded, and the Spearman rank
correlation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import pearsonr, rankdata, spearmanr

from ..frequency_effects import LENGTH_OUTCOMES, FrequencyEffects
from .engine import Approx, Case, Mistake, compare_tensors, run_check, run_prediction, short_repr
from .rounding import UNIT, gamma

__all__ = ["check_length_prediction", "check_three_cos_add", "check_spearman"]


# --- exercise 6.1: predict, then run: a word's count and its vector's length -------

_LENGTH_HINTS = {
    ("unrelated", "longer"): (
        "the cosine ignores the length, but training does not: a vector starts near zero, "
        "and every time its word is a center the update moves it. A word seen more often "
        "gets more updates, and its vector grows."),
    ("shorter", "longer"): (
        "the most frequent words are thinned out by subsampling and pulled in many "
        "directions by their many contexts; but most words are rare, and for a rare word "
        "every occurrence is one more update away from a start near zero. The table below "
        "shows both, band by band."),
    ("longer", "shorter"): (
        "in this run the more frequent words have the shorter vectors; the table below "
        "shows the lengths band by band."),
    ("unrelated", "shorter"): (
        "in this run the count does tell the length: the more frequent words have the "
        "shorter vectors. The table below shows it band by band."),
    ("longer", "unrelated"): (
        "in this run the correlation is too weak to call: the table below shows the "
        "lengths band by band."),
    ("shorter", "unrelated"): (
        "in this run the correlation is too weak to call: the table below shows the "
        "lengths band by band."),
}


def check_length_prediction(prediction: str | None, effects: FrequencyEffects) -> bool:
    """Check exercise 6.1: ``prediction`` (``"longer"``, ``"shorter"`` or
    ``"unrelated"``), written before the experiment, against what
    :func:`w2v_lib.frequency_effects.frequency_effects` measured in this run: how the
    length of a word's vector follows its count."""
    evidence = (f"Spearman {effects.spearman:+.2f} between count and length over "
                f"{sum(b.words for b in effects.bands):,} words")
    return run_prediction("your prediction of the lengths", prediction, LENGTH_OUTCOMES,
                          effects.outcome, evidence, _LENGTH_HINTS)


# --- exercise 6.2: 3CosAdd with the query words excluded -----------------------------


def _three_cos_add(unit: torch.Tensor, a: int, b: int, c: int) -> int:
    scores = unit @ (unit[b] - unit[a] + unit[c])
    scores[[a, b, c]] = -float("inf")
    return int(scores.argmax())


@dataclass(frozen=True)
class _Analogy:
    """The best answer to a 3CosAdd query, and what it takes to judge another one: the
    exact score of every word, how far a float32 computation of each may be off, and
    the three query words."""

    best: int
    scores: torch.Tensor
    error: torch.Tensor
    queries: tuple[int, int, int]


def _exact_analogy(unit: torch.Tensor, a: int, b: int, c: int) -> _Analogy:
    """The scores in float64. A float32 score, as x . (b - a + c) or as three cosines
    (with or without dividing by the lengths again), is off by at most
    gamma(2d + 10) |x| . (|a| + |b| + |c|)."""
    exact = unit.double()
    scores = exact @ (exact[b] - exact[a] + exact[c])
    error = gamma(2 * unit.shape[1] + 10) * (exact.abs() @ (exact[a].abs() + exact[b].abs() + exact[c].abs()))
    allowed = scores.clone()
    allowed[[a, b, c]] = -float("inf")
    return _Analogy(int(allowed.argmax()), scores, error, (a, b, c))


def _compare_index(got: Any, expected: _Analogy | int) -> str | None:
    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point():
        got = got.item()
    if isinstance(got, np.integer):
        got = int(got)
    if not isinstance(got, int) or isinstance(got, bool):
        return f"expected a word index (an int), got {short_repr(got) if isinstance(got, torch.Tensor) else type(got).__name__}."
    if isinstance(expected, int):  # a typical mistake's answer
        return None if got == expected else "differs"
    best, scores, error = expected.best, expected.scores, expected.error
    if got == best:
        return None
    if not 0 <= got < len(scores):
        return f"expected word {best}, got {got}, which is not a word index (0 to {len(scores) - 1})."
    if got in expected.queries:
        which = "abc"[expected.queries.index(got)]
        return (f"expected word {best}, got word {got}, which is {which}, one of the query "
                "words: they are never answers.")
    # a word whose score ties the best within rounding is as right as the best
    if float(scores[got] + error[got]) >= float(scores[best] - error[best]):
        return None
    return (f"expected word {best} (score {float(scores[best]):.4f}), got word {got} "
            f"(score {float(scores[got]):.4f}).")


def _analogy_cases() -> list[Case]:
    g = torch.Generator().manual_seed(7)
    cases = []
    # a small world where b - a + c is nearest to c itself unless the query is excluded
    tiny = F.normalize(torch.tensor([[1.0, 0, 0], [1, 0.2, 0], [0, 0, 1], [0.2, 0.6, 1], [0, -1, 0]]), dim=1)
    cases.append(Case("5 words, where c itself scores highest", (tiny, 0, 1, 2)))
    # a, b and c close together (near-synonyms): then a is nearest to b - a + c
    near = F.normalize(torch.tensor([[1.0, 0, 0], [1, 0.15, 0], [1, 0, 0.15], [0, 1, 0.3],
                                     [0.3, 0.2, 1]]), dim=1)
    cases.append(Case("5 words, where a scores highest once b and c are out", (near, 0, 1, 2)))
    # every other word points away from b - a + c: all of them score below -1. With
    # a = 2, b = 0, c = 1 and a a little closer to b than to c, each wrong way of
    # excluding gives its own answer: nothing excluded gives c, a left in gives a, and
    # scores of 0 or -1 give the first of the three, b
    away = F.normalize(torch.tensor([[1.0, 0, 0], [0, 1, 0], [0.1, 0, 1], [-0.9, -1, 1.2],
                                     [-1.1, -1, 1], [-0.9, -1.1, 1]]), dim=1)
    cases.append(Case("6 words, where every answer scores below -1", (away, 2, 0, 1)))
    for name, vocab_size, dim in [("200 words, d=10", 200, 10), ("30,000 words, d=100", 30_000, 100)]:
        unit = F.normalize(torch.randn(vocab_size, dim, generator=g), dim=1)
        a, b, c = torch.randperm(vocab_size, generator=g)[:3].tolist()
        cases.append(Case(name, (unit, a, b, c)))
    return cases


def check_three_cos_add(three_cos_add: Callable[[torch.Tensor, int, int, int], int]) -> bool:
    """Check exercise 6.2: ``three_cos_add(unit, a, b, c)`` returns the index of the word
    whose unit vector has the highest ``cos(x, b) - cos(x, a) + cos(x, c)``, never ``a``,
    ``b`` or ``c`` themselves."""
    def excluding(excluded, low=-float("inf")):
        def answer(unit, a, b, c):
            scores = unit @ (unit[b] - unit[a] + unit[c])
            scores[[(a, b, c)[i] for i in excluded]] = low
            return int(scores.argmax())
        return answer

    mistakes = [
        Mistake(excluding([]), "exclude the three query words: otherwise b or c usually wins."),
        Mistake(lambda u, a, b, c: _three_cos_add(u, b, a, c), "it is b - a + c: king - man + woman."),
        Mistake(excluding([1, 2]), "exclude a too: when a, b and c are close together, a "
                                   "itself scores highest."),
    ]
    # 0 or -1 does not exclude a word: scores of x . (b - a + c) go down to -3
    low_hint = ("a score of 0 or -1 does not exclude a query word: the scores go down to -3. "
                "Set the query words' scores to -inf.")
    mistakes += [Mistake(excluding([0, 1, 2], low=low), low_hint) for low in (0.0, -1.0)]
    return run_check("three_cos_add", three_cos_add, _analogy_cases(), _exact_analogy, _compare_index, mistakes)


# --- exercise 6.3: the Spearman rank correlation --------------------------------------


def _compare_float(got: Any, expected: Approx) -> str | None:
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, float):
        advice = " (convert it with float(...))" if isinstance(got, (np.generic, torch.Tensor)) else ""
        return f"expected a float, got {type(got).__name__}{advice}."
    return compare_tensors(torch.tensor(got, dtype=torch.float64), expected)


def _exact_spearman(x: list[float], y: list[float]) -> Approx:
    """Spearman's rho in float64, with the allowance of an answer computed in float32.
    The ranks are exact (whole or half numbers); the correlation is a dot product of n
    centred ranks over two lengths, off by at most about 2 gamma(n) (the rounding of
    each sum is at most gamma(n) times the sum of |terms|, and by Cauchy-Schwarz
    sum |a_i b_i| <= |a| |b|); 1 - 6 sum d^2 / (n (n^2 - 1)), right when there are no
    ties, is off by less."""
    rho = float(spearmanr(x, y).statistic)
    return Approx(torch.tensor(rho, dtype=torch.float64),
                  torch.tensor(2 * gamma(len(x)) + 20 * UNIT, dtype=torch.float64), torch.float64)


def check_spearman(spearman: Callable[[list[float], list[float]], float]) -> bool:
    """Check exercise 6.3: ``spearman(x, y)`` returns Spearman's rank correlation of two
    lists of numbers as a float, with tied values given the average of their ranks."""
    g = torch.Generator().manual_seed(8)
    human = (torch.randint(0, 11, (353,), generator=g) / 1.0).tolist()  # many ties, as in WordSim353
    model = (torch.tensor(human) / 10 + torch.randn(353, generator=g)).tolist()
    # lists out of order, whose ranks are not their own inverse: argsort alone gives
    # the order that sorts a list, which is its ranks only when the two coincide
    cases = [Case("no ties, a perfect order", ([2.0, 4.0, 1.0, 3.0], [20.0, 80.0, 10.0, 35.0])),
             Case("no ties, non-linear", ([3.0, 1.0, 5.0, 2.0, 4.0], [9.0, 4.0, 2.0, 16.0, 8.0])),
             Case("with ties", ([2.0, 5.0, 1.0, 2.0, 3.0], [4.0, 6.0, 2.0, 1.0, 4.0])),
             Case("353 pairs with ties, like WordSim353", (human, model))]

    def ordinal(values):
        return torch.tensor(values).argsort().argsort().double()

    def argsort_once(values):
        return torch.tensor(values).argsort().double()

    def no_ties_formula(x, y):
        d = torch.tensor(rankdata(x)) - torch.tensor(rankdata(y))
        n = len(x)
        return 1 - 6 * (d ** 2).sum() / (n * (n ** 2 - 1))

    def pearson(a, b):
        return torch.tensor(float(pearsonr(a, b).statistic), dtype=torch.float64)

    mistakes = [
        Mistake(lambda x, y: pearson(x, y), "that is Pearson's correlation of the values; rank them first."),
        Mistake(lambda x, y: pearson(argsort_once(x), argsort_once(y)),
                "argsort gives the positions that sort the list, not the rank of each value: "
                "the ranks are the argsort of the argsort (or use scipy.stats.rankdata)."),
        Mistake(lambda x, y: pearson(ordinal(x), ordinal(y)),
                "tied values share the average of their ranks (scipy.stats.rankdata does that)."),
        Mistake(no_ties_formula,
                "1 - 6 sum d^2 / (n (n^2 - 1)) holds only without ties: compute the Pearson "
                "correlation of the average ranks."),
    ]
    return run_check("spearman", spearman, cases, _exact_spearman, _compare_float, mistakes)
