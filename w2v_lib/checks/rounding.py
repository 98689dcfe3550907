"""How far a right answer can land from the exact one because of float rounding.

A learner's function may add its numbers in another order than the check's reference,
or compute in float32 where the reference uses float64. Both give right answers that
differ from the exact value in their last digits. So a check computes the exact answer
(in float64) together with a bound on the rounding error of *any* correct float32
computation of it, and accepts every answer within that bound, element by element.

The bounds are the classical ones of numerical analysis: one float32 operation
(``+``, ``*``, ``/``, ``sqrt``, and within a few units ``exp`` and ``log``) is off by
at most a fraction ``UNIT`` of its result, and a sum of ``n`` numbers, added in any
order, is off by at most ``gamma(n)`` times the sum of their absolute values. They are
worst cases, usually far from reached, and far smaller than what a typical mistake
changes.
"""

from __future__ import annotations

import math

import torch

__all__ = ["UNIT", "gamma", "sum_error", "matmul_error"]

# float32 keeps 24 significant bits: one rounding changes a value by at most 2^-24 of it
UNIT = 2.0 ** -24


def gamma(n: int | float | torch.Tensor) -> float | torch.Tensor:
    """The relative error bound of ``n`` roundings in a row: n u / (1 - n u).

    A sum of ``n`` numbers, added in any order, is off by at most ``gamma(n)`` times
    the sum of their absolute values; so is a dot product of length ``n``.
    """
    if isinstance(n, torch.Tensor):
        n = n.double()
        return n * UNIT / (1 - n * UNIT)
    if n * UNIT >= 1:
        return math.inf
    return n * UNIT / (1 - n * UNIT)


def sum_error(absolute_sum: torch.Tensor, terms: int | torch.Tensor) -> torch.Tensor:
    """The bound on the error of a sum of ``terms`` numbers, added in any order, whose
    absolute values add up to ``absolute_sum``."""
    return gamma(terms) * absolute_sum


def matmul_error(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The bound, element by element, on the error of ``a @ b`` computed in float32 in
    any order: ``gamma(k) |a| @ |b|`` for an inner dimension ``k``."""
    return gamma(a.shape[-1]) * (a.double().abs() @ b.double().abs())
