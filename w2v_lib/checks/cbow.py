"""Checks for the exercises of chapter 3: the masked mean of the context vectors, and
the gradient of the CBOW loss."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..cbow import combine_contexts
from .engine import Approx, Case, Mistake, compare_tensor_tuples, compare_tensors, run_check
from .rounding import UNIT, gamma
from .skipgram import _softmax_grad_error

__all__ = ["check_masked_mean", "check_cbow_grads"]


# --- exercise 3.1: the masked mean of the context vectors --------------------------


def _masked_cases(seed: int, sizes) -> list[Case]:
    generator = torch.Generator().manual_seed(seed)
    cases = []
    for name, batch, slots, dim in sizes:
        mask = torch.rand(batch, slots, generator=generator) < 0.7
        mask[:, slots // 2] = True  # at least one real context word per example
        cases.append(Case(name, (torch.randn(batch, slots, dim, generator=generator), mask)))
    return cases


def _exact_masked_mean(context_vectors: torch.Tensor, mask: torch.Tensor) -> Approx:
    """The masked mean in float64, with the allowance of a float32 answer: a sum of up
    to 2m vectors in any order, then one division."""
    exact = combine_contexts(context_vectors.double(), mask)
    slots = context_vectors.shape[1]
    magnitude = combine_contexts(context_vectors.double().abs(), mask)  # sum |x| / n
    return Approx(exact, gamma(slots + 1) * magnitude + UNIT * exact.abs(), context_vectors.dtype)


def check_masked_mean(masked_mean: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check exercise 3.1: ``masked_mean(context_vectors, mask)`` averages, for every
    example, the context vectors whose mask is True. Shapes: ``(B, 2m, d)`` and
    ``(B, 2m)`` in, ``(B, d)`` out."""
    cases = [Case("one example, all slots real", (torch.tensor([[[1.0, 2.0], [3.0, 6.0]]]), torch.tensor([[True, True]]))),
             Case("one example, one padded slot",
                  (torch.tensor([[[1.0, 2.0], [3.0, 6.0], [50.0, 50.0]]]), torch.tensor([[True, True, False]])))]
    cases += _masked_cases(4, [("8 examples, window 2, d=3", 8, 4, 3), ("1,024 examples, window 5, d=100", 1024, 10, 100)])
    mistakes = [
        Mistake(lambda x, m: (x * m[..., None]).sum(1) / x.shape[1],
                "divide by the number of real context words (mask.sum), not by the number of slots."),
        Mistake(lambda x, m: x.mean(dim=1), "the padded slots must not count: multiply by the mask first."),
        Mistake(lambda x, m: combine_contexts(x, m, mean=False), "that is the sum; the mean divides it by the count."),
    ]
    return run_check("masked_mean", masked_mean, cases, _exact_masked_mean, compare_tensors, mistakes)


# --- exercise 3.2: the gradient of the CBOW loss -------------------------------------


def _grads_cases() -> list[Case]:
    """From tiny to realistic; every case but the first has padded slots, and the
    windows hold different numbers n of real words, so that 1/n, 1/2m and 1 differ."""
    generator = torch.Generator().manual_seed(6)
    cases = []
    for name, batch, slots, vocab_size, dim in [
            ("one example, two real words, V=3, d=2", 1, 2, 3, 2),
            ("one example, window 2, one slot padded, V=4, d=2", 1, 4, 4, 2),
            ("5 examples, window 2, V=10, d=3", 5, 4, 10, 3),
            ("256 examples, window 5, V=3,000, d=50", 256, 10, 3_000, 50)]:
        if name.startswith("one example, two"):
            mask = torch.ones(1, 2, dtype=torch.bool)
        elif name.startswith("one example, window 2"):
            mask = torch.tensor([[True, True, True, False]])
        else:
            mask = torch.rand(batch, slots, generator=generator) < 0.6
            mask[:, slots // 2] = True  # at least one real context word
            mask[0] = True              # and one full window
        contexts = torch.randn(batch, slots, dim, generator=generator)
        contexts[~mask] = torch.randn(int((~mask).sum()), dim, generator=generator) * 10
        cases.append(Case(name, (contexts, mask, torch.randn(vocab_size, dim, generator=generator),
                                 torch.randint(0, vocab_size, (batch,), generator=generator))))
    return cases


def _hand_cbow_grads(context_vectors, mask, output_vectors, centers, share, delta_scale=1.0,
                     hidden_share=None):
    """The gradients by the formulas, with the share of dL/dh that each slot gets
    chosen by ``share(mask)``: builds the typical wrong answers."""
    hidden = combine_contexts(context_vectors, mask) if hidden_share is None else hidden_share
    probs = torch.softmax(hidden @ output_vectors.T, dim=1)
    delta = (probs - F.one_hot(centers, len(output_vectors))) / len(centers) * delta_scale
    grad_hidden = delta @ output_vectors
    return grad_hidden[:, None, :] * share(mask)[..., None], delta.T @ hidden


def _exact_cbow_grads(context_vectors: torch.Tensor, mask: torch.Tensor, output_vectors: torch.Tensor,
                      centers: torch.Tensor) -> tuple[Approx, Approx]:
    """Both gradients by autograd in float64, with the allowance of a float32 answer.

    h, the masked mean, is off by at most gamma(2m + 1) times the mean of |x| (as in
    exercise 3.1); the scores h U^T by that error times |U| plus the rounding of a
    dot product; the rest follows exercise 2.3's bound, with each slot's share of
    dL/dh (1/n) adding one division, and dL/dU adding the error of h times |delta|.
    """
    x, U = context_vectors.double(), output_vectors.double()
    x_ = x.clone().requires_grad_()
    U_ = U.clone().requires_grad_()
    F.cross_entropy(combine_contexts(x_, mask) @ U_.T, centers).backward()
    batch, slots = mask.shape
    vocab_size, dim = U.shape
    hidden = combine_contexts(x, mask)
    hidden_error = gamma(slots + 1) * combine_contexts(x.abs(), mask) + UNIT * hidden.abs()
    scores = hidden @ U.T
    score_error = gamma(dim) * (hidden.abs() @ U.abs().T) + hidden_error @ U.abs().T
    probs = torch.softmax(scores, dim=1)
    onehot = F.one_hot(centers, vocab_size).double()
    delta_error = _softmax_grad_error(scores, probs, onehot, score_error=score_error)
    weight = (probs + onehot) / batch  # bounds |dL/dscores| however it is split
    hidden_grad_error = delta_error @ U.abs() + gamma(vocab_size) * weight @ U.abs()
    share = mask.double() / mask.sum(dim=1, keepdim=True)
    slot_error = (hidden_grad_error[:, None, :] * share[..., None]
                  + 3 * UNIT * x_.grad.abs())
    output_error = (delta_error.T @ hidden.abs() + weight.T @ hidden_error
                    + gamma(batch) * weight.T @ hidden.abs() + UNIT * U_.grad.abs())
    return (Approx(x_.grad, slot_error, context_vectors.dtype),
            Approx(U_.grad, output_error, output_vectors.dtype))


def check_cbow_grads(cbow_grads: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
                                          tuple[torch.Tensor, torch.Tensor]]) -> bool:
    """Check exercise 3.2: ``cbow_grads(context_vectors, mask, output_vectors, centers)``
    returns the gradients of the mean CBOW loss (``h`` the masked mean of the context
    vectors) with respect to every context slot ``(B, 2m, d)`` and to the output table
    ``(V, d)``, against autograd (in float64, within the rounding of a float32 answer).
    The padded slots hold large numbers: they must take no part, and get zero."""
    count = lambda m: m.sum(dim=1, keepdim=True)  # noqa: E731
    mean_share = lambda m: m.double() / count(m)  # noqa: E731

    def share_of(rule):
        def grads(x, m, U, c):
            grad_slots, grad_output = _hand_cbow_grads(x.double(), m, U.double(), c, rule)
            return grad_slots.to(x.dtype), grad_output.to(U.dtype)
        return grads

    def with_delta(scale):
        def grads(x, m, U, c):
            factor = len(c) if scale == "batch" else scale
            return tuple(g.to(x.dtype) for g in _hand_cbow_grads(x.double(), m, U.double(), c,
                                                                 mean_share, factor))
        return grads

    def summed_hidden(x, m, U, c):
        x, U = x.double(), U.double()
        hidden = combine_contexts(x, m, mean=False)
        return tuple(g.float() for g in _hand_cbow_grads(x, m, U, c, mean_share, hidden_share=hidden))

    def unmasked_hidden(x, m, U, c):
        x, U = x.double(), U.double()
        return tuple(g.float() for g in _hand_cbow_grads(x, m, U, c, mean_share, hidden_share=x.mean(1)))

    mistakes = [
        Mistake(share_of(lambda m: m.double()),
                "h is the mean of the n context vectors, so each gets 1/n of dL/dh. Giving "
                "each the whole of dL/dh is word2vec.c's update (and the gradient of the "
                "sum), not the gradient of this loss."),
        Mistake(share_of(lambda m: m.double() / m.shape[1]),
                "divide dL/dh by n, the number of real context words (mask.sum), not by the "
                "2m slots."),
        Mistake(share_of(lambda m: torch.ones_like(m, dtype=torch.double) / count(m)),
                "a padded slot is not part of h: its gradient is zero. Multiply by the mask."),
        Mistake(with_delta(-1.0),
                "the sign is flipped: dL/dscores is softmax(scores) minus the one-hot center."),
        Mistake(with_delta("batch"),
                "the loss is the mean over the batch: divide by the batch size B."),
        Mistake(summed_hidden,
                "h is the masked mean of the context vectors, not their sum: the scores and "
                "dL/du_w = (p_w - y_w) h use that mean."),
        Mistake(unmasked_hidden,
                "h averages the real context words only: padded slots take no part in the "
                "forward pass either."),
    ]
    return run_check("cbow_grads", cbow_grads, _grads_cases(), _exact_cbow_grads,
                     compare_tensor_tuples(["grad_slots", "grad_output"]), mistakes)
