"""The check of chapter 4's "predict, then run" exercise: what training without noise
words (K = 0) does to the vectors.

The check never knows the answer in advance: it reads the outcome from the run's own
measurements (:func:`collapse_outcome`, whose rule is in its docstring), prints them,
and compares the learner's prediction with them through
:func:`w2v_lib.checks.engine.run_prediction`, the engine of every prediction check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .engine import run_prediction

__all__ = ["COLLAPSE_OUTCOMES", "collapse_outcome", "check_collapse_prediction"]


# --- chapter 4: negative sampling without noise words ---------------------------------

COLLAPSE_OUTCOMES = {
    "align": "the vectors turn to point one way, and the model calls any pair of "
             "words real",
    "spread": "the vectors spread out and the model tells random pairs from real ones, "
              "as with noise words",
    "shrink": "the vectors shrink toward zero",
    "stay": "the vectors stay about where they started",
}


def collapse_outcome(norms: Sequence[float], cosines: Sequence[float],
                     real: Sequence[float]) -> str:
    """Which of :data:`COLLAPSE_OUTCOMES` a run shows, from its measurements before
    training and after each epoch: the mean norm of the input vectors, the mean cosine
    of random pairs of words, and the mean probability the model gives such a pair of
    being real (0.5 at the start, when the output vectors are zero).

    Introduced in chapter 4. "shrink": the norm ends below half its start; "stay": it
    ends within 25% of its start with the probability within 0.05 of 0.5; "align": the
    cosine ends at 0.9 or more and random pairs are called real (above 0.5); "spread"
    otherwise.
    """
    if not len(norms) == len(cosines) == len(real) >= 2:
        raise ValueError("give the measurements before training and after each epoch, "
                         f"the same number of each; got {len(norms)}, {len(cosines)} and "
                         f"{len(real)}.")
    if norms[-1] < 0.5 * norms[0]:
        return "shrink"
    if abs(norms[-1] / norms[0] - 1) < 0.25 and abs(real[-1] - 0.5) < 0.05:
        return "stay"
    if cosines[-1] >= 0.9 and real[-1] > 0.5:
        return "align"
    return "spread"


def check_collapse_prediction(prediction: object, measured: Mapping[str, Sequence[float]]) -> bool:
    """Check the prediction of chapter 4's exercise: what training with K = 0 noise
    words does to the vectors, against the run's ``measured`` ``{"norm": [...],
    "cosine": [...], "real": [...]}`` (before training, then after each epoch)."""
    norms, cosines, real = measured["norm"], measured["cosine"], measured["real"]
    outcome = collapse_outcome(norms, cosines, real)
    evidence = (f"mean norm {norms[0]:.3g} -> {norms[-1]:.3g}, mean cosine of random "
                f"pairs {cosines[0]:.2f} -> {cosines[-1]:.2f}, P(real) of random pairs "
                f"{real[0]:.2f} -> {real[-1]:.2f}")
    hints = {(predicted, found): f"{found!r} means that {COLLAPSE_OUTCOMES[found]}."
             for predicted in COLLAPSE_OUTCOMES for found in COLLAPSE_OUTCOMES
             if predicted != found}
    return run_prediction("your prediction of training with K = 0", prediction,
                          tuple(COLLAPSE_OUTCOMES), outcome, evidence, hints)
