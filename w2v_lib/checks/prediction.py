"""Checks for "predict, then run" exercises: the learner writes down what an experiment
will show, runs it, and the check compares the prediction with what that run measured.

A prediction is one of a few named outcomes. The check never knows the answer in
advance: it reads the outcome from the run's own measurements (with the rule printed
next to the numbers), so a run that came out otherwise would say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .engine import _say

__all__ = ["judge_prediction", "COLLAPSE_OUTCOMES", "collapse_outcome", "check_collapse_prediction"]


def judge_prediction(title: str, prediction: object, outcomes: Mapping[str, str], measured: str,
                     evidence: str) -> bool:
    """Compare ``prediction`` with the ``measured`` outcome (both keys of ``outcomes``),
    print the verdict with the ``evidence`` (the run's numbers), return whether it was
    right. A prediction that is not one of the outcomes is reported, not judged."""
    print(f"Checking your prediction: {title}")
    names = ", ".join(repr(name) for name in outcomes)
    if prediction is None:
        _say(f"… no prediction yet: set `prediction` to one of {names}, then run the "
             "experiment and this cell again.")
        return False
    if not isinstance(prediction, str) or prediction.strip().lower() not in outcomes:
        _say(f"✗ {prediction!r} is not one of the outcomes; choose one of {names}.")
        return False
    prediction = prediction.strip().lower()
    _say(f"the run measured: {evidence}")
    if prediction == measured:
        _say(f"✓ right: {measured!r}, {outcomes[measured]}.")
        return True
    _say(f"✗ you predicted {prediction!r} ({outcomes[prediction]}); the run shows "
         f"{measured!r}: {outcomes[measured]}.")
    return False


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
    return judge_prediction("training with K = 0", prediction, COLLAPSE_OUTCOMES, outcome, evidence)
