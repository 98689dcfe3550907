"""Checks for the exercises of chapter 4: the negative-sampling loss, the share the
noise power leaves unchanged, word2vec.c's unigram table, and the negative-sampling
gradients."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import torch
import torch.nn.functional as F

from ..negative_sampling import negative_sampling_loss
from ..noise import noise_distribution
from .engine import Approx, Case, Mistake, compare_tensor_tuples, compare_tensors, run_check
from .rounding import UNIT, gamma

__all__ = ["check_neutral_share", "check_unigram_table", "check_sgns_grads",
           "check_negative_sampling_loss"]


def _count_cases(seed: int) -> list[Case]:
    generator = torch.Generator().manual_seed(seed)
    zipf = (1e6 / torch.arange(1, 10_001, dtype=torch.float64)).round().to(torch.int64)
    return [Case("two words", (torch.tensor([3, 1]),)),
            Case("counts not sorted, one zero", (torch.tensor([5, 0, 40, 12, 1]),)),
            Case("100 random counts", (torch.randint(1, 10_000, (100,), generator=generator),)),
            Case("10,000 Zipf-like counts", (zipf,))]


# --- exercise 4.3: the share that the power leaves unchanged ---------------------------


def check_neutral_share(neutral_share: Callable[[torch.Tensor, float], Any]) -> bool:
    """Check exercise 4.3: ``neutral_share(counts, power)``, the unigram share ``p*`` at
    which ``P_n(w) = p_w ** a / Z`` equals ``p_w`` (with ``p_w = count / total`` and
    ``Z = sum_w p_w ** a``): ``p* = Z ** (1 / (a - 1))``. A number (a Python float or a
    scalar tensor), computed in float64 or float32."""
    cases = [Case("two words, power 0.5", (torch.tensor([3, 1]), 0.5)),
             Case("five words, not sorted, power 0.75", (torch.tensor([5, 40, 12, 1, 2]), 0.75)),
             Case("100 random counts, power 0: uniform noise",
                  (torch.randint(1, 10_000, (100,), generator=torch.Generator().manual_seed(3)), 0.0)),
             Case("10,000 Zipf-like counts, power 0.75", (_count_cases(0)[3].args[0], 0.75)),
             Case("10,000 Zipf-like counts, power 0.25", (_count_cases(0)[3].args[0], 0.25))]

    def from_counts(c, a):  # Z summed over the raw counts, not the shares
        return (c.double() ** a).sum() ** (1 / (a - 1))

    def shares_z(c, a):
        return ((c.double() / c.sum()) ** a).sum()

    mistakes = [
        Mistake(from_counts, "Z is the sum of the shares p_w = count / total to the power, "
                             "not of the raw counts."),
        Mistake(lambda c, a: shares_z(c, a) ** (1 / (1 - a)),
                "check the sign of the exponent: p ** (a - 1) = Z gives p = Z ** (1 / (a - 1))."),
        Mistake(shares_z, "that is Z itself; the neutral share solves p ** a / Z = p for p."),
    ]
    return run_check("neutral_share", neutral_share, cases, _exact_neutral, _compare_share, mistakes)


def _exact_neutral(counts: torch.Tensor, power: float) -> Approx:
    """p* in float64, with the allowance of an answer computed in float32. The shares
    are off by a sum of V counts and a division, each share to the power by ``power``
    times that and a few roundings, Z by a sum of V positive terms more; the root
    multiplies Z's relative error by 1 / (1 - power), and a float32 power (exp of a
    product with log) adds a few roundings of |log p*| more."""
    shares = counts.double() / counts.double().sum()
    z = (shares ** power).sum()
    exact = z ** (1 / (power - 1))
    size = len(counts)
    z_error = power * (gamma(size) + 2 * UNIT) + 4 * UNIT + gamma(size)
    relative = z_error / (1 - power) + 8 * UNIT + 2 * UNIT * abs(float(exact.log()))
    return Approx(exact, exact * relative, torch.float64)


def _compare_share(got: Any, expected: Approx) -> str | None:
    """A number, as a Python float or a scalar tensor of any float dtype."""
    if isinstance(got, torch.Tensor):
        if got.numel() != 1 or got.dim() != 0:
            return f"expected one number (a scalar), got a tensor of shape {tuple(got.shape)}."
        if not got.is_floating_point():
            return f"expected a floating-point number, got a tensor of dtype {got.dtype}."
        got = got.detach().cpu().double()
    elif isinstance(got, Real) and not isinstance(got, bool):
        got = torch.tensor(float(got), dtype=torch.float64)
    else:
        return f"expected a number, got {type(got).__name__}."
    return compare_tensors(got, expected)


# --- exercise 4.4: word2vec.c's unigram table ------------------------------------------


def _slot_allowance(probs: torch.Tensor, size: int) -> torch.Tensor:
    """How many slots word w may be off from probs[w] * size, word by word.

    One slot, for rounding to whole slots, plus the rounding of the table's edges: the
    edge after word w is a cumulative sum of w + 1 probabilities, off in float32 by at
    most gamma(w + 2) times itself in any order (one more rounding for float64 to
    float32), and the slot positions (j + 0.5) / size by a few roundings each. Word w's
    slots lie between its two edges, so both edges' errors count.
    """
    edges = torch.cumsum(probs.double(), dim=0)
    edge_error = gamma(torch.arange(2, len(probs) + 2)) * edges + 4 * UNIT
    before = torch.cat([torch.zeros(1, dtype=torch.float64), edge_error[:-1]])
    return 1.0 + size * (edge_error + before)


def _compare_table(got: Any, expected: tuple[torch.Tensor, int]) -> str | None:
    probs, size = expected
    if not isinstance(got, torch.Tensor):
        return f"expected a torch.Tensor, got {type(got).__name__}."
    if got.shape != (size,):
        return f"expected shape ({size},), got {tuple(got.shape)}."
    if got.dtype != torch.int64:
        return f"expected dtype torch.int64 (word indices), got {got.dtype}."
    if int(got.min()) < 0 or int(got.max()) >= len(probs):
        return f"the table holds {int(got.min())} to {int(got.max())}; valid word indices are 0 to {len(probs) - 1}."
    slots = torch.bincount(got, minlength=len(probs)).double()
    ideal = probs.double() * size
    allowed = _slot_allowance(probs, size)
    # every word gets its share of the slots, to within one slot and the rounding
    off = (slots - ideal).abs()
    if bool((off > allowed).any()):
        word = int((off - allowed).argmax())
        return (f"word {word} fills {int(slots[word])} slots; with probability "
                f"{float(probs[word]):.4g} it should fill {float(ideal[word]):.2f} of {size:,}, "
                f"give or take {float(allowed[word]):.3g}.")
    return None


def check_unigram_table(unigram_table: Callable[[torch.Tensor, int], torch.Tensor]) -> bool:
    """Check exercise 4.4: ``unigram_table(probs, size)`` returns an int64 tensor of
    ``size`` word indices in which word ``w`` fills ``probs[w] * size`` slots, give or
    take one, plus what float32 rounding of the cumulative probabilities allows."""
    cases = [Case("two words, 8 slots", (torch.tensor([0.75, 0.25], dtype=torch.float64), 8)),
             Case("three words, 10 slots", (torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64), 10))]
    cases += [Case(f"{c.name}, 1,000,000 slots", (noise_distribution(*c.args), 1_000_000)) for c in _count_cases(1)[2:]]
    def off_by_one(p, n):
        return (torch.searchsorted(torch.cumsum(p, 0), (torch.arange(n) + 0.5) / n) + 1) % len(p)

    mistakes = [
        Mistake(lambda p, n: torch.arange(n) % len(p),
                "every word got the same number of slots: give word w about probs[w] * size."),
        Mistake(off_by_one, "an off-by-one: the slots of word w hold the index w."),
    ]

    def compare(got: Any, expected: Any) -> str | None:
        if isinstance(expected, torch.Tensor):  # a typical mistake's table: same slot counts?
            same = (isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == torch.int64
                    and int(got.min()) >= 0 and torch.equal(torch.bincount(got, minlength=len(expected)),
                                                            torch.bincount(expected, minlength=len(expected))))
            return None if same else "differs"
        return _compare_table(got, expected)

    return run_check("unigram_table", unigram_table, cases, lambda p, n: (p, n), compare, mistakes)


# --- exercise 4.5: the gradients of skip-gram with negative sampling ------------------


def _autograd_sgns(center, positive, negative):
    tensors = [t.clone().requires_grad_() for t in (center, positive, negative)]
    negative_sampling_loss(*tensors).backward()
    return tuple(t.grad for t in tensors)


def _exact_sgns(center, positive, negative) -> tuple[Approx, Approx, Approx]:
    """The three gradients by autograd in float64, with the allowance of a float32
    answer. A score (a dot product of length d) is off by at most gamma(d) times the
    sum of |products|; sigmoid has a slope of at most 1/4 and its own few roundings;
    each gradient then adds the roundings of its products and of a sum of K + 1 terms.
    """
    v, p, n = center.double(), positive.double(), negative.double()
    exact = _autograd_sgns(v, p, n)
    batch, dim = v.shape
    k = n.shape[1]
    positive_score = (v * p).sum(-1)
    negative_score = torch.bmm(n, v[:, :, None]).squeeze(-1)
    g_pos = torch.sigmoid(positive_score) - 1
    g_neg = torch.sigmoid(negative_score)
    pos_error = 8 * UNIT + gamma(dim) * (v.abs() * p.abs()).sum(-1) / 4
    neg_error = 8 * UNIT + gamma(dim) * torch.bmm(n.abs(), v.abs()[:, :, None]).squeeze(-1) / 4
    center_error = (pos_error[:, None] * p.abs() + (neg_error[..., None] * n.abs()).sum(1)
                    + gamma(k + 2) * (g_pos.abs()[:, None] * p.abs() + (g_neg[..., None] * n.abs()).sum(1)))
    positive_error = pos_error[:, None] * v.abs() + 2 * UNIT * g_pos.abs()[:, None] * v.abs()
    negative_error = (neg_error[..., None] + 2 * UNIT * g_neg[..., None]) * v.abs()[:, None, :]
    errors = [e / batch + 2 * UNIT * x.abs() for e, x in zip((center_error, positive_error, negative_error), exact)]
    return tuple(Approx(x, e, t.dtype) for x, e, t in zip(exact, errors, (center, positive, negative)))


def check_sgns_grads(sgns_grads: Callable[..., tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> bool:
    """Check exercise 4.5: ``sgns_grads(center, positive, negative)`` returns the
    gradients of the mean negative-sampling loss with respect to ``center`` ``(B, d)``,
    ``positive`` ``(B, d)`` and ``negative`` ``(B, K, d)``, against autograd (in float64,
    within the rounding of a float32 answer)."""
    generator = torch.Generator().manual_seed(4)
    cases = [Case(name, (torch.randn(b, d, generator=generator), torch.randn(b, d, generator=generator),
                         torch.randn(b, k, d, generator=generator)))
             for name, b, k, d in [("one pair, K=1, d=2", 1, 1, 2), ("3 pairs, K=5, d=4", 3, 5, 4),
                                   ("1,024 pairs, K=5, d=100", 1024, 5, 100)]]

    def sig_grads(v, p, n, sign_neg=1.0, scale=True):
        b = v.shape[0] if scale else 1
        gp = torch.sigmoid((v * p).sum(-1)) - 1
        gn = sign_neg * torch.sigmoid(sign_neg * torch.bmm(n, v[:, :, None]).squeeze(-1))
        return ((gp[:, None] * p + (gn[..., None] * n).sum(1)) / b, gp[:, None] * v / b, gn[..., None] * v[:, None, :] / b)

    mistakes = [
        Mistake(lambda v, p, n: sig_grads(v, p, n, scale=False), "the loss is the mean over the batch: divide by B."),
        Mistake(lambda v, p, n: sig_grads(v, p, n, sign_neg=-1.0),
                "a negative score s gets sigmoid(s), the derivative of -log sigmoid(-s)."),
    ]
    return run_check("sgns_grads", sgns_grads, cases, _exact_sgns,
                     compare_tensor_tuples(["grad_center", "grad_positive", "grad_negative"]), mistakes)


# --- exercise 4.1: the negative-sampling loss ------------------------------------------


def check_negative_sampling_loss(loss_fn: Callable[..., torch.Tensor]) -> bool:
    """Check exercise 4.1: ``negative_sampling_loss(hidden, positive, negative)``, the mean
    over the batch of ``-log sigmoid(u_o . h) - sum_k log sigmoid(-u_k . h)``."""
    generator = torch.Generator().manual_seed(6)
    cases = [Case(name, (torch.randn(b, d, generator=generator) * scale, torch.randn(b, d, generator=generator),
                         torch.randn(b, k, d, generator=generator)))
             for name, b, k, d, scale in [("one example, K=1, d=2", 1, 1, 2, 1),
                                          ("4 examples, K=3, d=5", 4, 3, 5, 1),
                                          ("2,048 examples, K=5, d=100", 2048, 5, 100, 1),
                                          # a diverged model: sigmoid underflows to 0 in float32
                                          ("8 examples, K=3, d=10, scores in the hundreds", 8, 3, 10, 60)]]

    def variant(h, p, n, neg_sign=-1.0, mean=True, log_of_sigmoid=False):
        logsigmoid = (lambda x: torch.log(torch.sigmoid(x))) if log_of_sigmoid else F.logsigmoid
        pos = logsigmoid((h * p).sum(-1))
        neg = logsigmoid(neg_sign * torch.bmm(n, h[:, :, None]).squeeze(-1)).sum(-1)
        total = -(pos + neg)
        return total.mean() if mean else total.sum()

    mistakes = [
        Mistake(lambda h, p, n: variant(h, p, n, neg_sign=1.0), "noise words should score low: use log sigmoid(-s) for them."),
        Mistake(lambda h, p, n: variant(h, p, n, mean=False), "take the mean over the batch, not the sum."),
        Mistake(lambda h, p, n: variant(h, p, n, log_of_sigmoid=True),
                "log(sigmoid(s)) fails for large scores: sigmoid(-110) is 0 in float32 and "
                "log(0) is -inf. Use F.logsigmoid, which never forms sigmoid(s) itself."),
    ]
    return run_check("negative_sampling_loss", loss_fn, cases, _exact_loss, compare_tensors, mistakes)


def _exact_loss(hidden, positive, negative) -> Approx:
    """The loss in float64, with the allowance of a float32 answer. Each score is off by
    at most gamma(d) times its sum of |products|, which moves -log sigmoid by as much
    (its slope is below 1); log sigmoid adds a few roundings; the mean adds up
    B (K + 1) positive terms in any order."""
    h, p, n = hidden.double(), positive.double(), negative.double()
    exact = negative_sampling_loss(h, p, n)
    batch, dim = h.shape
    k = n.shape[1]
    positive_terms = -F.logsigmoid((h * p).sum(-1))
    negative_terms = -F.logsigmoid(-torch.bmm(n, h[:, :, None]).squeeze(-1))
    score_error = (gamma(dim) * (h.abs() * p.abs()).sum(-1)
                   + gamma(dim) * torch.bmm(n.abs(), h.abs()[:, :, None]).squeeze(-1).sum(-1))
    term_error = 6 * UNIT * (positive_terms + negative_terms.sum(-1)) + 2 * UNIT * (k + 1)
    error = (score_error + term_error).mean() + gamma(batch * (k + 1) + 1) * exact
    return Approx(exact, error, hidden.dtype)
