"""Checks for the exercises of chapter 1: one-hot vectors, the lookup table as a linear
layer, and how far apart random vectors are."""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .engine import Case, Mistake, compare_tensors, run_check, short_repr, two_numbers

__all__ = ["check_one_hot", "check_linear_from_embedding", "check_cosine_spread"]


# --- exercise 1.1: one-hot vectors -----------------------------------------------------


def _reference_one_hot(indices: torch.Tensor, vocab_size: int) -> torch.Tensor:
    if indices.device.type == "meta":  # F.one_hot reads the values; meta has none
        return torch.empty(len(indices), vocab_size, device="meta")
    return F.one_hot(indices, vocab_size).float()


def _index_cases() -> list[Case]:
    generator = torch.Generator().manual_seed(0)
    cases = [
        Case("one index, vocabulary of 3", (torch.tensor([1]), 3)),
        Case("the first and the last word, vocabulary of 4", (torch.tensor([0, 3]), 4)),
        Case("a repeated index, vocabulary of 5", (torch.tensor([2, 4, 2]), 5)),
        Case("256 random indices, vocabulary of 5,000",
             (torch.randint(0, 5_000, (256,), generator=generator), 5_000)),
    ]
    # without a GPU, the 'meta' device still tells whether the result follows the
    # indices to their device: it has shapes and a device, but no values
    cases.append(Case("3 indices on the 'meta' device, vocabulary of 6",
                      (torch.tensor([5, 0, 2], device="meta"), 6)))
    if torch.cuda.is_available():
        cases.append(Case("32 indices on the GPU, vocabulary of 100",
                          (torch.randint(0, 100, (32,), generator=generator).cuda(), 100)))
    return cases


def check_one_hot(one_hot: Callable[[torch.Tensor, int], torch.Tensor]) -> bool:
    """Check exercise 1.1: ``one_hot(indices, vocab_size)``.

    The answer is a float32 matrix with one row per index and ``vocab_size`` columns,
    holding a single 1.0 per row in the column of that index, on the indices' device.
    Without a GPU, indices on the 'meta' device (shapes, no values) check the device.
    """
    mistakes = [
        Mistake(lambda idx, v: _reference_one_hot(idx, v).T, "one row per index, one column per word in the vocabulary."),
        Mistake(lambda idx, v: F.one_hot(idx, v), "the one-hot vectors should be floats (use .float()), so they can multiply a weight matrix."),
        Mistake(lambda idx, v: F.one_hot((idx + 1) % v, v).float(), "an off-by-one: index i goes in column i, counting from 0."),
        Mistake(lambda idx, v: F.one_hot((idx - 1) % v, v).float(), "an off-by-one: index i goes in column i, counting from 0."),
    ]
    # ones and zeros: a right answer is exact
    return run_check("one_hot", one_hot, _index_cases(), _reference_one_hot,
                     lambda got, expected: compare_tensors(got, expected, atol=0, rtol=0), mistakes)


# --- exercise 1.2: the same map as an nn.Linear ------------------------------------


def _embedding_cases() -> list[Case]:
    generator = torch.Generator().manual_seed(1)
    sizes = [("a 3-word vocabulary, d=2", 3, 2), ("a 10-word vocabulary, d=4", 10, 4),
             ("a 2,000-word vocabulary, d=50", 2_000, 50)]
    cases = []
    for name, vocab_size, dim in sizes:
        embedding = nn.Embedding(vocab_size, dim)
        with torch.no_grad():
            embedding.weight.copy_(torch.randn(vocab_size, dim, generator=generator))
        cases.append(Case(name, (embedding,)))
    return cases


def _compare_linear(got: Any, expected: nn.Linear) -> str | None:
    if not isinstance(got, nn.Linear):
        return f"expected an nn.Linear, got {type(got).__name__}."
    if (got.in_features, got.out_features) != (expected.in_features, expected.out_features):
        return (f"expected nn.Linear(in_features={expected.in_features}, out_features={expected.out_features}), "
                f"got nn.Linear(in_features={got.in_features}, out_features={got.out_features}).")
    if got.bias is not None:
        return "expected no bias (bias=False): a lookup adds nothing to the row it picks."
    # the weights are copied, not computed: a right answer is exact
    return compare_tensors(got.weight.detach(), expected.weight.detach(), atol=0, rtol=0)


def _reference_linear(embedding: nn.Embedding) -> nn.Linear:
    vocab_size, dim = embedding.weight.shape
    layer = nn.Linear(vocab_size, dim, bias=False)
    with torch.no_grad():
        layer.weight.copy_(embedding.weight.T)
    return layer


def _linear_with(weight: torch.Tensor, embedding: nn.Embedding) -> nn.Linear:
    """An nn.Linear sized for ``embedding`` whose weight is set to ``weight`` as it is."""
    vocab_size, dim = embedding.weight.shape
    layer = nn.Linear(vocab_size, dim, bias=False)
    layer.weight = nn.Parameter(weight.detach().clone())
    return layer


def check_linear_from_embedding(linear_from_embedding: Callable[[nn.Embedding], nn.Linear]) -> bool:
    """Check exercise 1.2: ``linear_from_embedding(embedding)``.

    The answer is an ``nn.Linear`` without bias that maps the one-hot vector of word
    ``i`` to ``embedding.weight[i]``.
    """
    mistakes = [
        Mistake(lambda e: _linear_with(e.weight, e),
                "nn.Linear stores its weight as (out_features, in_features): copy the transpose, embedding.weight.T."),
        Mistake(lambda e: _linear_with(torch.roll(e.weight, 1, dims=0).T, e),
                "an off-by-one: row i of the embedding must come out for the one-hot vector of i."),
    ]
    return run_check("linear_from_embedding", linear_from_embedding, _embedding_cases(),
                     _reference_linear, _compare_linear, mistakes)


# --- exercise 1.3: the spread of the cosine between random vectors ------------------


def _reference_cosine_spread(d: int) -> float:
    return 1 / math.sqrt(d)


def _compare_spread(got: Any, expected: float) -> str | None:
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, Real):
        return f"expected a number, got {type(got).__name__}: {short_repr(got)}."
    got = float(got)
    # a formula: float32 rounding (a few units of 1.2e-7) is all a right answer may be
    # off by, far less than a simulation's error of a few tenths of a percent
    if not math.isfinite(got) or abs(got - expected) > 1e-6 * expected:
        want, have = two_numbers(expected, got)
        return f"expected {want}, got {have}."
    return None


def check_cosine_spread(cosine_spread: Callable[[int], float]) -> bool:
    """Check exercise 1.3: ``cosine_spread(d)``, the standard deviation of the cosine
    between two independent random vectors of ``d`` standard normal entries.

    The answer is ``1 / sqrt(d)``: the ``d`` squared coordinates of a random unit
    vector have equal means and sum to 1, so ``E[cos^2] = 1/d``, and the mean is 0.
    A formula is asked for, so the tolerance is that of float32 rounding.
    """
    cases = [Case(f"d = {d:,}", (d,)) for d in (2, 3, 10, 100, 300, 10_000)]
    mistakes = [
        Mistake(lambda d: 1 / d, "that is the variance, E[cos^2] = 1/d; the standard "
                                 "deviation is its square root."),
        Mistake(lambda d: math.sqrt(d), "the spread shrinks as d grows: in more dimensions "
                                          "two random vectors are closer to perpendicular."),
        Mistake(lambda d: 0.0, "0 is the mean of the cosine; the exercise asks how far it "
                               "typically lies from 0, its standard deviation."),
        Mistake(lambda d: 1 / math.sqrt(d - 1) if d > 1 else math.inf,
                "divide by d, not d - 1: the d squared coordinates of a unit vector sum to "
                "1, so each has mean 1/d."),
    ]
    return run_check("cosine_spread", cosine_spread, cases, _reference_cosine_spread,
                     _compare_spread, mistakes)
