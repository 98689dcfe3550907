"""Checks for the exercises of chapter 2: skip-gram pairs, the softmax cross-entropy
gradient, and the gradients of the skip-gram loss."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..skipgram import softmax_cross_entropy_grad
from ..toy_corpus import load_toy_corpus
from ..windows import skipgram_pairs
from .engine import Approx, Case, Mistake, compare_tensor_tuples, compare_tensors, compare_values, run_check
from .rounding import UNIT, gamma, matmul_error

__all__ = ["check_sentence_pairs", "check_softmax_grad", "check_skipgram_grads"]

FOX = "the quick brown fox jumps over the lazy dog".split()


# --- exercise 2.1: the (center, context) pairs of a sentence -------------------------


def _reference_pairs(sentence: list[str], window: int) -> list[tuple[str, str]]:
    centers, contexts = skipgram_pairs(torch.arange(len(sentence)), window)
    return [(sentence[c], sentence[o]) for c, o in zip(centers.tolist(), contexts.tolist())]


def _pairs_where(sentence: list[str], window: int, keep: Callable[[int, int], bool],
                 lo: int, hi: int) -> list[tuple[str, str]]:
    """Pairs for offsets lo..hi kept by ``keep(t, j)``: builds the typical wrong answers."""
    return [(sentence[t], sentence[j]) for t in range(len(sentence))
            for j in range(t + lo, t + hi + 1) if 0 <= j < len(sentence) and keep(t, j)]


def check_sentence_pairs(sentence_pairs: Callable[[list[str], int], list[tuple[str, str]]]) -> bool:
    """Check exercise 2.1: ``sentence_pairs(sentence, window)``.

    The answer lists every ``(center, context)`` pair of the sentence: for each position
    from left to right, the words up to ``window`` positions before and after it, from
    left to right, never the center itself.
    """
    toy = load_toy_corpus()[2]
    cases = [
        # three words: the middle one has context on both sides, the two ends do not
        Case("three words, window 1", (["hello", "big", "world"], 1)),
        Case("one word: no pairs", (["alone"], 2)),
        Case("the quick brown fox, window 1", (FOX, 1)),
        Case("the quick brown fox, window 2", (FOX, 2)),
        Case("a sentence shorter than the window", (["a", "short", "one"], 5)),
        Case(f"a toy-corpus sentence of {len(toy)} words, window 5", (toy, 5)),
    ]
    mistakes = [
        Mistake(lambda s, w: _pairs_where(s, w, lambda t, j: j != t, -w + 1, w - 1),
                "a window of w takes the w words on each side, the w-th included."),
        Mistake(lambda s, w: _pairs_where(s, w, lambda t, j: True, -w, w),
                "the center word is not its own context: skip the offset 0."),
        Mistake(lambda s, w: _pairs_where(s, w, lambda t, j: j != t, 1, w),
                "the context lies on both sides of the center, before it and after it."),
        Mistake(lambda s, w: _pairs_where(s, w, lambda t, j: j != t and t + w < len(s) and t - w >= 0, -w, w),
                "near the ends of the sentence, keep the words that exist instead of "
                "skipping the center."),
    ]
    return run_check("sentence_pairs", sentence_pairs, cases, _reference_pairs, compare_values, mistakes)


# --- exercise 2.2: the gradient of softmax cross-entropy ----------------------------


def _score_cases(seed: int) -> list[Case]:
    generator = torch.Generator().manual_seed(seed)
    sizes = [("one example, V=3", 1, 3), ("4 examples, V=5", 4, 5), ("256 examples, V=10,000", 256, 10_000)]
    cases = [Case(name, (torch.randn(batch, vocab_size, generator=generator) * 3,
                         torch.randint(0, vocab_size, (batch,), generator=generator)))
             for name, batch, vocab_size in sizes]
    # exp(s) overflows float32 above s = 88.7: a softmax must not compute it as it is
    cases.append(Case("3 examples, V=6, scores near 100",
                      (torch.randn(3, 6, generator=generator) * 10 + 100, torch.tensor([0, 5, 2]))))
    return cases


def _softmax_grad_error(scores: torch.Tensor, probs: torch.Tensor, onehot: torch.Tensor,
                        score_error: torch.Tensor | float = 0.0) -> torch.Tensor:
    """The rounding allowance of (softmax(scores) - onehot) / B computed in float32,
    with the largest score subtracted first or through log_softmax, in any order.

    Each probability is off by at most a fraction of itself: the roundings of s - max
    (or of s - logsumexp), which grow with the size of the scores, of exp, of the sum
    of V terms and of the division. ``score_error`` is how far the scores themselves
    may be off (when they come from a float32 matrix product): it moves p_i by at most
    p_i (error_i + the largest error of its row).
    """
    batch, vocab_size = scores.shape
    largest = scores.abs().amax(dim=1, keepdim=True)
    relative = UNIT * (2 * scores.abs() + 4 * largest + 3 * math.log(vocab_size) + 16) + gamma(vocab_size)
    if isinstance(score_error, torch.Tensor):
        relative = relative + score_error + score_error.amax(dim=1, keepdim=True)
    grad = (probs - onehot) / batch
    return (probs * relative + UNIT * (probs + onehot)) / batch + UNIT * grad.abs()


def _exact_softmax_grad(scores: torch.Tensor, targets: torch.Tensor) -> Approx:
    """The gradient by autograd in float64, with the allowance of a float32 answer."""
    exact = _autograd_score_grad(scores.double(), targets)
    probs = torch.softmax(scores.double(), dim=1)
    onehot = F.one_hot(targets, scores.shape[1]).double()
    return Approx(exact, _softmax_grad_error(scores.double(), probs, onehot), scores.dtype)


def _autograd_score_grad(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    scores = scores.clone().requires_grad_()
    F.cross_entropy(scores, targets).backward()
    return scores.grad


def _unstable_softmax_grad(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    exp = torch.exp(scores)  # inf above 88.7 in float32, and inf / inf is nan
    return (exp / exp.sum(dim=1, keepdim=True) - F.one_hot(targets, scores.shape[1])) / len(targets)


def check_softmax_grad(softmax_grad: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check exercise 2.2: ``softmax_grad(scores, targets)``, the gradient of the mean
    cross-entropy ``F.cross_entropy(scores, targets)`` with respect to ``scores``,
    against autograd (in float64, within the rounding of a float32 answer)."""
    softmax = lambda s, t: torch.softmax(s, dim=1)  # noqa: E731
    mistakes = [
        Mistake(lambda s, t: softmax_cross_entropy_grad(s, t) * len(t),
                "the loss is the mean over the batch, so divide by the batch size."),
        Mistake(lambda s, t: -softmax_cross_entropy_grad(s, t),
                "the sign is flipped: it is softmax(scores) minus the one-hot target."),
        Mistake(lambda s, t: softmax(s, t) / len(t),
                "subtract 1 at the target's entry: softmax(scores) - onehot(targets)."),
        Mistake(lambda s, t: (softmax(s, t) - F.one_hot(t, s.shape[1])) * 1.0,
                "the loss is the mean over the batch, so divide by the batch size."),
        Mistake(_unstable_softmax_grad,
                "exp(s) overflows float32 above s = 88.7 (exp(89) is inf, and inf / inf is "
                "nan): subtract each row's largest score before exp (the softmax does not "
                "change), or use torch.softmax."),
    ]
    return run_check("softmax_grad", softmax_grad, _score_cases(2), _exact_softmax_grad, compare_tensors, mistakes)


# --- exercise 2.3: the gradients of the skip-gram loss ------------------------------


def _exact_skipgram(center_vectors: torch.Tensor, output_vectors: torch.Tensor,
                    contexts: torch.Tensor) -> tuple[Approx, Approx]:
    """Both gradients by autograd in float64, with the allowance of a float32 answer:
    the scores v @ U.T are off by at most gamma(d) |v| @ |U|.T, which moves
    dL/dscores, and the two products with it add their own rounding."""
    v, U = center_vectors.double(), output_vectors.double()
    v_ = v.clone().requires_grad_()
    U_ = U.clone().requires_grad_()
    F.cross_entropy(v_ @ U_.T, contexts).backward()
    batch, vocab_size = len(contexts), len(U)
    scores = v @ U.T
    probs = torch.softmax(scores, dim=1)
    onehot = F.one_hot(contexts, vocab_size).double()
    delta_error = _softmax_grad_error(scores, probs, onehot, score_error=matmul_error(v, U.T))
    weight = (probs + onehot) / batch  # bounds |dL/dscores| however it is split
    center_error = delta_error @ U.abs() + gamma(vocab_size) * weight @ U.abs() + UNIT * v_.grad.abs()
    output_error = delta_error.T @ v.abs() + gamma(batch) * weight.T @ v.abs() + UNIT * U_.grad.abs()
    return (Approx(v_.grad, center_error, center_vectors.dtype),
            Approx(U_.grad, output_error, output_vectors.dtype))


def check_skipgram_grads(skipgram_grads: Callable[[torch.Tensor, torch.Tensor, torch.Tensor],
                                                  tuple[torch.Tensor, torch.Tensor]]) -> bool:
    """Check exercise 2.3: ``skipgram_grads(center_vectors, output_vectors, contexts)``
    returns the gradients of the mean skip-gram loss with respect to the looked-up
    center vectors ``(B, d)`` and to the output table ``(V, d)``, against autograd (in
    float64, within the rounding of a float32 answer)."""
    generator = torch.Generator().manual_seed(3)
    sizes = [("one pair, V=3, d=2", 1, 3, 2), ("5 pairs, V=8, d=4", 5, 8, 4),
             ("512 pairs, V=5,000, d=100", 512, 5_000, 100)]
    cases = [Case(name, (torch.randn(batch, dim, generator=generator),
                         torch.randn(vocab_size, dim, generator=generator),
                         torch.randint(0, vocab_size, (batch,), generator=generator)))
             for name, batch, vocab_size, dim in sizes]

    def delta(v, U, o):
        return softmax_cross_entropy_grad(v @ U.T, o)

    mistakes = [
        Mistake(lambda v, U, o: (delta(v, U, o) @ U * len(o), delta(v, U, o).T @ v * len(o)),
                "the loss is the mean over the batch: divide by the batch size."),
        Mistake(lambda v, U, o: (-(delta(v, U, o) @ U), -(delta(v, U, o).T @ v)),
                "the sign is flipped: dL/dscores is softmax minus the one-hot target."),
        Mistake(lambda v, U, o: (torch.softmax(v @ U.T, 1) @ U / len(o), torch.softmax(v @ U.T, 1).T @ v / len(o)),
                "start from dL/dscores = softmax(scores) - onehot(contexts), not from the softmax alone."),
    ]
    return run_check("skipgram_grads", skipgram_grads, cases, _exact_skipgram,
                     compare_tensor_tuples(["grad_center", "grad_output"]), mistakes)
