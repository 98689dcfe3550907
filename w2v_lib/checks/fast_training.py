"""Checks for the exercises of chapter 7: the mask of a batch of windows, folding the
windows' gradients back onto their tokens, adding rows of gradients into a table when
rows repeat, and where the capped update can start to cut a row's rate (a
derivation)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..fast_training import fold_windows, window_mask
from .engine import Approx, Case, Mistake, compare_formula, compare_tensors, run_check
from .rounding import gamma

__all__ = ["check_window_mask", "check_fold_windows", "check_add_rows",
           "check_fewest_capped_pairs"]


# --- exercise 7.1: which window positions are context words ---------------------------


def _mask_cases() -> list[Case]:
    g = torch.Generator().manual_seed(71)
    cases = [
        # one sentence of 5 tokens, padding (-1) on both sides, window 2, full windows
        Case("window 2, one sentence, full windows",
             (torch.tensor([-1, -1, 0, 0, 0, 0, 0, -1, -1]), torch.tensor([2, 2, 2, 2, 2]), 2)),
        Case("window 2, reduced windows of 1 and 2",
             (torch.tensor([-1, -1, 0, 0, 0, 0, 0, -1, -1]), torch.tensor([1, 2, 1, 1, 2]), 2)),
        Case("window 3, a sentence boundary in the middle",
             (torch.tensor([-1, -1, -1, 0, 0, 0, 1, 1, 1, 1, -1, -1, -1]),
              torch.tensor([3, 3, 2, 3, 1, 3, 3]), 3)),
    ]
    sentences = torch.cat([torch.full((5,), -1), torch.sort(torch.randint(0, 40, (500,), generator=g)).values,
                           torch.full((5,), -1)])
    cases.append(Case("window 5, 500 centers in 40 sentences",
                      (sentences, torch.randint(1, 6, (500,), generator=g), 5)))
    return cases


def check_window_mask(mask_fn: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]) -> bool:
    """Check exercise 7.1: ``mask_fn(span_sentence, reduced, window)`` returns the
    ``(size, 2*window+1)`` bool tensor that is True where position ``j`` of center
    ``i``'s window is a context word: not the center, within ``reduced[i]`` of it, and
    in the same sentence."""
    def with_center(s, r, w):
        mask = window_mask(s, r, w)
        mask[:, w] = True
        return mask

    def crossing(s, r, w):
        offsets = torch.arange(-w, w + 1)
        return ((offsets.abs() <= r[:, None]) & (offsets != 0)).expand(len(s) - 2 * w, -1)

    def strict(s, r, w):
        offsets = torch.arange(-w, w + 1)
        return window_mask(s, r, w) & (offsets.abs() < r[:, None])

    mistakes = [
        Mistake(with_center, "the center itself (the middle column) is not a context of itself."),
        Mistake(crossing, "a window stops at the sentence boundary: compare each position's "
                          "sentence with the center's."),
        Mistake(strict, "a reduced window of b keeps the offsets -b..b, b included (use <=)."),
    ]
    return run_check("window_mask", mask_fn, _mask_cases(), window_mask,
                     lambda got, exp: compare_tensors(got, exp, atol=0, rtol=0), mistakes)


# --- exercise 7.2: fold the windows' gradients back onto the tokens -------------------


def check_fold_windows(fold: Callable[[torch.Tensor, int], torch.Tensor]) -> bool:
    """Check exercise 7.2: ``fold(grad_contexts, window)`` turns the ``(size,
    2*window+1, dim)`` gradients of the windows into the ``(size + 2*window, dim)``
    gradients of the tokens, each token getting the sum over every window it is in."""
    g = torch.Generator().manual_seed(72)
    cases = [Case("window 1, 3 centers, d=1", (torch.arange(9.0).view(3, 3, 1), 1)),
             Case("window 2, 4 centers, d=3", (torch.randn(4, 5, 3, generator=g), 2)),
             Case("window 5, 512 centers, d=100", (torch.randn(512, 11, 100, generator=g), 5))]

    def assigned(grads, w):  # = instead of +=: later windows overwrite earlier ones
        size, width, dim = grads.shape
        block = grads.new_zeros(size + width - 1, dim)
        for j in range(width):
            block[j:j + size] = grads[:, j]
        return block

    def centers_only(grads, w):
        block = grads.new_zeros(grads.shape[0] + 2 * w, grads.shape[2])
        block[w:w + grads.shape[0]] = grads.sum(1)
        return block

    mistakes = [
        Mistake(assigned, "a token is in several windows: add (+=) their gradients, do not "
                          "overwrite them."),
        Mistake(centers_only, "position j of window i is token i + j of the block, not the "
                              "center i + window."),
    ]
    return run_check("fold_windows", fold, cases, _exact_fold, compare_tensors, mistakes)


def _exact_fold(grad_contexts: torch.Tensor, window: int) -> Approx:
    """The folded gradients in float64, with the allowance of a float32 answer: each
    row is a sum of at most 2 window + 1 gradients, added in any order."""
    exact = fold_windows(grad_contexts.double(), window)
    magnitude = fold_windows(grad_contexts.double().abs(), window)
    width = grad_contexts.shape[1]
    return Approx(exact, gamma(width + 1) * magnitude, grad_contexts.dtype)


# --- exercise 7.3: add gradient rows into a table, rows repeating ---------------------


def _add_rows(table: torch.Tensor, rows: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    return table.index_add_(0, rows, grads)


def _exact_add_rows(table: torch.Tensor, rows: torch.Tensor, grads: torch.Tensor) -> Approx:
    """The updated table in float64, with the allowance of a float32 answer: row r gets
    its n_r gradients added, in any order (index_add_'s order varies with the number of
    threads; index_put_, a one-hot matrix product or float64 sums use others), so it is
    off by at most gamma(n_r + 1) times the sum of |table row| and |gradients|."""
    exact = _add_rows(table.double(), rows, grads.double())
    magnitude = _add_rows(table.double().abs(), rows, grads.double().abs())
    updates = torch.bincount(rows, minlength=len(table))
    error = gamma(updates + 2)[:, None] * magnitude
    return Approx(exact, error, table.dtype)


def check_add_rows(add_rows: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check exercise 7.3: ``add_rows(table, rows, grads)`` adds ``grads[k]`` to row
    ``rows[k]`` of ``table`` for every ``k``, in place, and returns the table; a row that
    appears several times gets the sum of its gradients, added in any order."""
    g = torch.Generator().manual_seed(73)
    cases = [Case("3 distinct rows", (torch.zeros(5, 2), torch.tensor([4, 0, 2]),
                                     torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))),
             Case("row 1 three times", (torch.zeros(3, 2), torch.tensor([1, 1, 0, 1]),
                                       torch.ones(4, 2))),
             Case("20,000 x 100 table, 6,000 updates, many repeats",
                  (torch.randn(20_000, 100, generator=g),
                   torch.randint(0, 50, (6_000,), generator=g), torch.randn(6_000, 100, generator=g)))]

    def fancy(table, rows, grads):
        table[rows] += grads
        return table

    # table[rows] = table[rows] + grads is the same mistake, written out
    mistakes = [
        Mistake(fancy, "table[rows] += grads keeps only one of the updates of a repeated row; "
                       "index_add_ sums them all."),
    ]
    # the table (argument 0) is updated in place and returned; rows and grads stay as
    # they were
    return run_check("add_rows", add_rows, cases, _exact_add_rows, compare_tensors, mistakes, in_place=0)


# --- exercise 7.4: the fewest pairs for which the cap can cut a row's rate ------------


def _fewest_capped_pairs(rate: float, length: float) -> float:
    # H_r <= n length^2 / 4 (sigma' <= 1/4), and the cap acts once 2 / H_r < rate
    return 8 / (rate * length ** 2)


def check_fewest_capped_pairs(fewest_capped_pairs: Callable[[float, float], float]) -> bool:
    """Check exercise 7.4: ``fewest_capped_pairs(rate, length)``, the number of pairs n
    of one batch below which the capped update can never cut a row's rate ``rate``,
    whatever the scores, when every vector on the other side of the row's pairs has the
    length ``length``: from H_r <= n length^2 / 4 and min(rate, 2 / H_r), n = 8 / (rate
    length^2).

    A formula is asked for, so the tolerance is that of rounding.
    """
    cases = [Case(f"rate {rate:g}, length {length:g}", (rate, length))
             for rate, length in [(0.025, 1.0), (0.025, 3.0), (0.1, 0.5), (0.0025, 2.0),
                                  (1.0, 4.0)]]
    mistakes = [
        Mistake(lambda rate, length: 2 / (rate * length ** 2),
                "the curvature is at most 1/4 of the sum of the squared lengths, "
                "because sigma'(s) = sigma(s) (1 - sigma(s)) is at most 1/4: the cap "
                "needs four times as many pairs as without that factor."),
        Mistake(lambda rate, length: 8 / (rate * length),
                "the curvature grows with the squared length of the other vectors, "
                "||x_p||^2, not with their length."),
        Mistake(lambda rate, length: 4 / (rate * length ** 2),
                "a step stops converging at the rate 2 / H, not 1 / H: the cap is "
                "min(rate, 2 / H_r)."),
        Mistake(lambda rate, length: rate * length ** 2 / 8,
                "that is 1 / n: the more pairs, the larger H_r and the smaller 2 / H_r, "
                "so the answer grows as the rate falls."),
    ]
    return run_check("fewest_capped_pairs", fewest_capped_pairs, cases,
                     _fewest_capped_pairs, compare_formula, mistakes)
