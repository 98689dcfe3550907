"""Checks for the exercises of chapter 5: where word2vec.c starts dropping a word (a
derivation), and a prediction about subsampling and rare words, compared with what
the chapter's experiment measured in the reader's own run."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..scores import ScoreTable, spread_overlaps
from .engine import Case, Mistake, _say, compare_formula, run_check

__all__ = ["check_first_dropped_share", "check_subsampling_prediction", "OUTCOMES",
           "measured_outcome"]

# --- exercise 5.1: the share above which word2vec.c drops a word -----------------------

GOLDEN = (1 + math.sqrt(5)) / 2  # the root x = sqrt(t / f) of x^2 + x = 1 is 1 / GOLDEN


def _reference_share(threshold: float) -> float:
    # sqrt(t / f) + t / f = 1 at sqrt(t / f) = (sqrt(5) - 1) / 2, so f = t * (3 + sqrt(5)) / 2
    return threshold * (3 + math.sqrt(5)) / 2


def check_first_dropped_share(first_dropped_share: Callable[[float], float]) -> bool:
    """Check exercise 5.1: ``first_dropped_share(threshold)``, the share f of the corpus
    above which word2vec.c's keep-probability sqrt(t / f) + t / f falls below 1, so
    that some occurrences of a word that frequent are dropped: f = t (3 + sqrt 5) / 2.

    A formula is asked for, so the tolerance is that of rounding: a constant typed
    with four digits (2.618) is off in the fifth.
    """
    cases = [Case(f"t = {t:g}", (t,)) for t in (0.1, 1e-3, 1e-4, 1e-5, 3e-6)]
    mistakes = [
        Mistake(lambda t: t, "f = t is where the paper's sqrt(t / f) reaches 1; word2vec.c "
                             "adds t / f, which keeps words up to a higher share."),
        Mistake(lambda t: t * GOLDEN,
                "with x = sqrt(t / f), x^2 + x = 1 gives x = 0.618..., and t / f is x^2, "
                "not x: f = t / x^2."),
        Mistake(lambda t: t / GOLDEN ** 2,
                "t / f = 0.382... gives f = t / 0.382..., larger than t, not 0.382... t "
                "(or you took the negative root of x^2 + x = 1; x = sqrt(t / f) is "
                "positive)."),
        Mistake(lambda t: 2.618 * t,
                "2.618 is the answer rounded to four digits; compute it exactly, from "
                "the root: (3 + sqrt(5)) / 2."),
    ]
    # float32 is allowed: the threshold rounded to float32, then sqrt(5), +, /, * (or
    # the same few operations in another order), each off by one rounding: the
    # default 8 operations of compare_formula
    return run_check("first_dropped_share", first_dropped_share, cases, _reference_share,
                     compare_formula, mistakes)


# --- exercise 5.2: predict, then run: rare and frequent words at equal time -------------

OUTCOMES = ("better", "same", "worse")
# the settings and metrics the prediction is about, as the chapter's table names them
SETTING, BASELINE = "1e-5", "off"
METRICS = {"rare": "WS353 rare", "frequent": "WS353 frequent"}


def measured_outcome(table: ScoreTable, metric: str, setting: str = SETTING,
                     baseline: str = BASELINE) -> str:
    """What a run measured: "same" when ``setting`` and ``baseline`` are within one
    standard deviation of each other on ``metric`` (the larger of the two spreads,
    :func:`w2v_lib.scores.spread_overlaps`), else "better" or "worse" for ``setting``.

    Introduced in chapter 5.
    """
    if spread_overlaps(table, setting, baseline, metric):
        return "same"
    return "better" if table.mean(setting, metric) > table.mean(baseline, metric) else "worse"


def _in_words(table: ScoreTable, metric: str, setting: str) -> str:
    return f"{table.mean(setting, metric):.3f} ± {table.std(setting, metric):.3f}"


def check_subsampling_prediction(prediction: Any, table: ScoreTable) -> bool:
    """Check exercise 5.2: ``prediction``, a dict ``{"rare": ..., "frequent": ...}``
    with one of "better", "same" or "worse" for each, says how t = 1e-5 scores against
    no subsampling at an equal number of training pairs, on WS353's rare and frequent
    pairs. It is compared with ``table``, the scores the reader's own run measured
    (:func:`measured_outcome`), not with a stored answer.
    """
    title = "your prediction"
    cases = [Case(f"{part} words ({metric}): t = {SETTING} against {BASELINE}", (part,))
             for part, metric in METRICS.items()]
    if prediction is ... or not isinstance(prediction, dict) or set(prediction) != set(
            METRICS) or any(value not in OUTCOMES for value in prediction.values()):
        print(f"Checking {title} on {len(cases)} cases")
        if prediction is ...:
            _say("… not attempted yet: replace the ... with your prediction, a dict such "
                 'as {"rare": "better", "frequent": "same"}, then run the cell again.')
        else:
            _say(f"✗ the prediction must be a dict with the keys 'rare' and 'frequent', "
                 f"each one of {', '.join(map(repr, OUTCOMES))}; got {prediction!r}.")
        return False
    for setting in (SETTING, BASELINE):
        if setting not in table.runs:
            raise ValueError(f"the table has no setting {setting!r}; run the experiment's "
                             f"cells first (it has {', '.join(map(repr, table.runs))}).")
    measured = {part: measured_outcome(table, metric) for part, metric in METRICS.items()}
    meaning = {"same": "the two means are within one standard deviation (the larger of "
                       "the two): the seeds cannot tell them apart",
               "better": "a higher mean by more than one standard deviation (the larger "
                         "of the two)",
               "worse": "a lower mean by more than one standard deviation (the larger of "
                        "the two)"}

    def compare(got: tuple[str, str], expected: tuple[str, str]) -> str | None:
        (part, said), (_, found) = got, expected
        if said == found:
            return None
        metric = METRICS[part]
        return (f"you predicted {said!r}; this run measured {found!r}, "
                f"{meaning[found]}: t = {SETTING} {_in_words(table, metric, SETTING)}, "
                f"{BASELINE} {_in_words(table, metric, BASELINE)}.")

    return run_check(title, lambda part: (part, prediction[part]), cases,
                     lambda part: (part, measured[part]), compare)
