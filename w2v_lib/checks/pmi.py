"""Checks for the exercises of chapter 8: the dot product at which SGNS's loss for one
pair is smallest, counting co-occurrences as word2vec's windows see them, and the
shifted positive PMI with a smoothed context distribution.

The answers are float64, and the checks allow for float64 rounding only: a formula
written in another order lands within about 1e-13 of the reference, a float32 step
lands near 1e-7 away, and every typical mistake much further.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..cooccurrence import cooccurrence_counts
from .engine import Case, Mistake, compare_tensors, run_check

__all__ = ["check_sgns_optimum", "check_cooccurrence_matrix", "check_shifted_ppmi"]


def _comparing(atol: float, rtol: float) -> Callable:
    """compare_tensors for a float64 answer, which first asks for a dense tensor, and
    adds a word on answers that are right to float32's precision only."""

    def compare(got, expected):
        if isinstance(got, torch.Tensor) and got.layout != torch.strided:
            return (f"expected a dense tensor, got a {got.layout} one; return "
                    "result.to_dense().")
        problem = compare_tensors(got, expected, atol=atol, rtol=rtol)
        if problem is None or got.dtype != expected.dtype:
            return problem
        finite = torch.isfinite(got) & torch.isfinite(expected)
        if bool(finite.all()) and torch.allclose(got, expected, atol=1e-5, rtol=1e-5):
            problem += (" Your values agree to about 7 digits only: part of the "
                        "computation ran in float32 (torch.tensor(5) or "
                        "torch.tensor(5.0) is float32; use math.log(k) or a float64 "
                        "tensor).")
        return problem

    return compare


def _zipf_counts(generator: torch.Generator, size: int) -> torch.Tensor:
    ranks = torch.arange(1, size + 1, dtype=torch.float64)
    return (1e5 / ranks * (0.5 + torch.rand(size, generator=generator,
                                            dtype=torch.float64))).round() + 1


# --- exercise 8.1: where SGNS's loss for one pair is smallest ----------------------


def _numerical_optimum(pair: torch.Tensor, inputs: torch.Tensor, noise: torch.Tensor,
                       negatives: int) -> torch.Tensor:
    """Minimise -#(w,c) log s(x) - k #(w) P_n(c) log s(-x) by bisection on its
    derivative, which rises from -#(w,c) to k #(w) P_n(c): no formula used."""
    pull = -pair
    push = negatives * inputs * noise
    low = torch.full_like(pair, -60.0)
    high = torch.full_like(pair, 60.0)
    for _ in range(120):  # 120 halvings of 120: far below float64's resolution
        middle = (low + high) / 2
        slope = pull * torch.sigmoid(-middle) + push * torch.sigmoid(middle)
        rising = slope > 0
        high = torch.where(rising, middle, high)
        low = torch.where(rising, low, middle)
    return (low + high) / 2


def check_sgns_optimum(optimum_fn: Callable[..., torch.Tensor]) -> bool:
    """Check exercise 8.1: ``optimum_fn(pair_count, input_count, noise_prob, k)``
    returns, elementwise, the dot product ``x`` that minimises SGNS's expected loss
    ``-#(w,c) log s(x) - k #(w) P_n(c) log s(-x)``, as a float64 tensor.

    The reference is a numerical minimum (bisection on the derivative), not a formula.
    """
    g = torch.Generator().manual_seed(81)
    f64 = dict(dtype=torch.float64)
    pairs = torch.randint(1, 50_000, (1_000,), generator=g).double()
    cases = [
        Case("one pair: #(w,c)=10, #(w)=100, P_n(c)=0.01, k=5",
             (torch.tensor([10.0], **f64), torch.tensor([100.0], **f64),
              torch.tensor([0.01], **f64), 5)),
        Case("4 pairs, k=1",
             (torch.tensor([1.0, 3.0, 40.0, 7.0], **f64),
              torch.tensor([10.0, 300.0, 50.0, 7.0], **f64),
              torch.tensor([0.2, 0.001, 0.05, 0.5], **f64), 1)),
        Case("1,000 pairs with Zipf-like counts, k=15",
             (pairs, pairs + _zipf_counts(g, 1_000) * 10,
              torch.rand(1_000, generator=g, **f64) * 1e-3 + 1e-6, 15)),
    ]
    log = torch.log
    mistakes = [
        Mistake(lambda p, n, q, k: log(p / (n * q)),
                "the noise words are k per pair: the optimum is shifted down by log k."),
        Mistake(lambda p, n, q, k: log(p / (n * q)) + math.log(k),
                "more noise words push the pair's score down, not up: subtract log k."),
        Mistake(lambda p, n, q, k: log(p / (k * q)),
                "each of the #(w) pairs of the input word brings k noise words: the "
                "noise term is k #(w) P_n(c)."),
        Mistake(lambda p, n, q, k: -log(p / (k * n * q)),
                "check the sign: a pair seen more often than the noise predicts should "
                "get a positive score."),
        Mistake(lambda p, n, q, k: p / (p + k * n * q),
                "that is sigma(x) at the optimum, a probability; return x itself, the "
                "dot product."),
    ]
    # bisection ends within 1e-15 of the minimum; formulas in float64 agree to ~1e-13
    return run_check("sgns_optimum", optimum_fn, cases,
                     _numerical_optimum, _comparing(atol=1e-9, rtol=1e-9), mistakes)


# --- exercise 8.2: counting pairs as word2vec's windows see them -------------------


def _reference_counts(ids: torch.Tensor, sentence: torch.Tensor, vocab_size: int,
                      window: int) -> torch.Tensor:
    return torch.from_numpy(cooccurrence_counts(ids, sentence, vocab_size, window).toarray())


def _counts_with(ids, sentence, vocab_size, window, weight, both_ways=True,
                 same_sentence=True, center=False):
    """The count with one thing done differently, to recognise typical mistakes."""
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
    for k in range(0 if center else 1, window + 1):
        left, right = ids[:len(ids) - k], ids[k:]
        keep = (sentence[:len(ids) - k] == sentence[k:]) if same_sentence \
            else torch.ones(len(left), dtype=torch.bool)
        pairs = (left[keep], right[keep])
        value = torch.full((int(keep.sum()),), float(weight(k)), dtype=torch.float64)
        counts.index_put_(pairs, value, accumulate=True)
        if both_ways and k > 0:
            counts.index_put_(pairs[::-1], value, accumulate=True)
    return counts


def check_cooccurrence_matrix(count_fn: Callable[..., torch.Tensor]) -> bool:
    """Check exercise 8.2: ``count_fn(ids, sentence, vocab_size, window)`` returns the
    dense ``(vocab_size, vocab_size)`` float64 tensor whose entry ``[w, c]`` adds
    ``(m - k + 1) / m`` for every occurrence of ``c`` at distance ``k <= m`` from an
    occurrence of ``w`` in the same sentence."""
    g = torch.Generator().manual_seed(82)
    ids = torch.multinomial(1.0 / torch.arange(1, 51), 2_000, replacement=True, generator=g)
    cases = [
        Case("'a b a c', one sentence, window 2",
             (torch.tensor([0, 1, 0, 2]), torch.tensor([0, 0, 0, 0]), 3, 2)),
        Case("two sentences, window 2",
             (torch.tensor([0, 1, 2, 3, 1, 0, 2]), torch.tensor([0, 0, 0, 1, 1, 1, 1]),
              4, 2)),
        Case("2,000 tokens of 50 words in 40 sentences, window 5",
             (ids, torch.sort(torch.randint(0, 40, (2_000,), generator=g)).values, 50, 5)),
    ]

    def word2vec(m):
        return lambda k: (m - k + 1) / m

    mistakes = [
        Mistake(lambda i, s, v, m: _counts_with(i, s, v, m, word2vec(m), both_ways=False),
                "a pair counts from both ends: c is in w's window and w in c's, so add "
                "[w, c] and [c, w] (the matrix is symmetric)."),
        Mistake(lambda i, s, v, m: _counts_with(i, s, v, m, lambda k: 1.0),
                "word2vec's reduced window reaches distance k with probability "
                "(m - k + 1) / m: weight each pair by it, not by 1."),
        Mistake(lambda i, s, v, m: _counts_with(i, s, v, m, lambda k: (m - k) / m),
                "the weight at distance k is (m - k + 1) / m: 1 for a neighbour, 1/m at "
                "distance m."),
        Mistake(lambda i, s, v, m: _counts_with(i, s, v, m, word2vec(m),
                                                same_sentence=False),
                "a window stops at the end of its sentence: compare the sentence "
                "numbers of the two tokens."),
        Mistake(lambda i, s, v, m: _counts_with(i, s, v, m, word2vec(m), center=True),
                "a word is not a context of itself at distance 0: start at k = 1."),
    ]
    return run_check("cooccurrence_matrix", count_fn, cases, _reference_counts,
                     _comparing(atol=1e-9, rtol=1e-12), mistakes)


# --- exercise 8.3: the shifted positive PMI, context distribution smoothed ---------


def _reference_ppmi(counts: torch.Tensor, k: int, alpha: float) -> torch.Tensor:
    """max(0, log(#(w,c) / (#(w) P_a(c))) - log k), 0 where the pair was never seen,
    written entry by entry over the counted pairs."""
    result = torch.zeros_like(counts)
    rows, cols = counts.nonzero(as_tuple=True)
    word = counts.sum(1)
    context = counts.sum(0) ** alpha
    smoothed = context / context.sum()
    values = torch.log(counts[rows, cols] / (word[rows] * smoothed[cols])) - math.log(k)
    result[rows, cols] = values.clamp(min=0)
    return result


def _ppmi_with(counts, k, alpha, word_power=1.0, clip=True, swap=False):
    word = counts.sum(0 if swap else 1) ** word_power
    context = counts.sum(1 if swap else 0) ** alpha
    pmi = torch.log(counts * word.sum() * context.sum()
                    / (counts.sum() * word[:, None] * context[None, :])) - math.log(k)
    pmi = torch.where(counts > 0, pmi, torch.zeros_like(pmi))
    return pmi.clamp(min=0) if clip else pmi


def check_shifted_ppmi(ppmi_fn: Callable[..., torch.Tensor]) -> bool:
    """Check exercise 8.3: ``ppmi_fn(counts, k, alpha)`` returns, for a dense
    ``(V, V)`` float64 tensor of co-occurrence counts, the float64 tensor
    ``max(0, log(#(w,c) / (#(w) P_a(c))) - log k)``, with ``#(w)`` the row sums,
    ``P_a(c) = #(c)**a / sum #(c')**a`` from the column sums, and 0 wherever
    ``#(w, c) = 0``."""
    g = torch.Generator().manual_seed(83)
    f64 = dict(dtype=torch.float64)
    small = torch.tensor([[1.0, 9.0, 1.0], [9.0, 2.0, 1.0], [1.0, 1.0, 12.0]], **f64)
    uneven = torch.tensor([[3.0, 1.0, 0.0, 6.0], [2.0, 0.0, 5.0, 1.0],
                           [0.0, 0.0, 0.0, 0.0], [9.0, 1.0, 2.0, 1.0]], **f64)
    weights = _zipf_counts(g, 500)
    # words of the same one of 10 topics meet 30 times more often than chance
    topic = torch.randint(0, 10, (500,), generator=g)
    affinity = 1 + 29 * (topic[:, None] == topic[None, :]).double()
    big = torch.poisson(weights[:, None] * weights[None, :] * affinity / 1e6, generator=g)
    cases = [
        Case("3 words, plain PPMI (alpha 1, k 1)", (small, 1, 1.0)),
        Case("3 words, alpha 0.75, k 2", (small, 2, 0.75)),
        Case("4 words, not symmetric, one word never counted", (uneven, 2, 0.75)),
        Case("500 words with Zipf-like counts, alpha 0.75, k 5", (big, 5, 0.75)),
    ]
    mistakes = [
        Mistake(lambda c, k, a: _ppmi_with(c, k, 1.0),
                "smooth the context distribution: P_a(c) uses the column sums to the "
                "power alpha, not the raw counts."),
        Mistake(lambda c, k, a: _ppmi_with(c, 1, a),
                "subtract log k (the shift) before clipping at 0."),
        Mistake(lambda c, k, a: _ppmi_with(c, 1 / k, a),
                "the shift lowers the PMI: subtract log k, do not add it."),
        Mistake(lambda c, k, a: _ppmi_with(c, k, a, clip=False),
                "positive PMI: values below 0 become 0."),
        Mistake(lambda c, k, a: _ppmi_with(c, k, a, word_power=a),
                "only the context distribution is smoothed; P(w) keeps the raw row "
                "sums."),
        Mistake(lambda c, k, a: _ppmi_with(c, k, a, swap=True),
                "#(w) is the sum of row w and #(c) the sum of column c."),
    ]
    # float64 formulas in another order differ by ~1e-15 relative in the logs
    return run_check("shifted_ppmi", ppmi_fn, cases,
                     _reference_ppmi, _comparing(atol=1e-10, rtol=1e-10), mistakes)
