"""Chapter 4's new exercise checks: the neutral share of the noise power (a derivation)
rejects typical wrong answers, each with its hint, and accepts the chapter's solution;
the "predict, then run" check of K = 0 reads the outcome from the run's measurements and
says "right" for the outcome measured and "wrong" for every other one."""

import pytest
import torch

from checking import run, stub
from notebook_solutions import is_prediction, solution_sources, solutions
import w2v_lib.checks as checks
from w2v_lib.checks import check_collapse_prediction, check_neutral_share
from w2v_lib.checks.prediction import COLLAPSE_OUTCOMES, collapse_outcome

CHAPTER_4 = "04_negative_sampling.ipynb"


def shares(c):
    return c.double() / c.sum()


def test_the_chapter_solution_passes(capsys):
    verdict, out = run(check_neutral_share, solutions(CHAPTER_4)["neutral_share"], capsys)
    assert verdict and "All 5 cases pass. Well done!" in out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: neutral_share still raises NotImplementedError.", None),
    (lambda c, a: (c.double() ** a).sum() ** (1 / (a - 1)),
     "✗ two words, power 0.5: expected 0.5359, got 0.134.", "not of the raw counts"),
    (lambda c, a: (shares(c) ** a).sum() ** (1 / (1 - a)),
     "✗ two words, power 0.5: expected 0.5359, got 1.866.", "sign of the exponent"),
    (lambda c, a: (shares(c) ** a).sum(), "✗ two words, power 0.5: expected 0.5359, got 1.366.",
     "that is Z itself"),
    # the mean share 1/V: right for the uniform noise only
    (lambda c, a: 1 / len(c), "✗ two words, power 0.5: expected 0.5359, got 0.5.", None),
    # every word's own fixed point, not one number
    (lambda c, a: shares(c) ** a / (shares(c) ** a).sum(),
     "✗ two words, power 0.5: expected one number (a scalar), got a tensor of shape (2,).", None),
    (lambda c, a: str(0.5359), "✗ two words, power 0.5: expected a number, got str.", None),
    (lambda c, a: torch.tensor(1), "expected a floating-point number, got a tensor of dtype torch.int64.", None),
])
def test_neutral_share_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_neutral_share, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


@pytest.mark.parametrize("answer", [lambda c, a: float((shares(c) ** a).sum() ** (1 / (a - 1))),
                                    lambda c, a: (shares(c) ** a).sum().pow(1 / (a - 1)).float()],
                         ids=["python float", "float32 tensor"])
def test_neutral_share_takes_a_float_or_a_scalar_tensor(answer, capsys):
    assert run(check_neutral_share, answer, capsys)[0]


def test_the_neutral_share_is_where_the_power_changes_nothing():
    # a word at p* keeps its share; above it loses, below it gains
    counts = torch.tensor([500, 120, 40, 9, 3, 1])
    p = shares(counts)
    star = float(solutions(CHAPTER_4)["neutral_share"](counts, 0.75))
    noise = p ** 0.75 / (p ** 0.75).sum()
    assert abs(star ** 0.75 / float((p ** 0.75).sum()) - star) < 1e-12
    assert bool(((noise < p) == (p > star)).all())


# --- the prediction about K = 0 --------------------------------------------------------

# runs of each kind: norm, cosine and P(real), before training and after three epochs
RUNS = {
    "align": ([0.04, 0.9, 1.3, 1.5], [0.0, 0.97, 0.99, 0.99], [0.5, 0.65, 0.77, 0.85]),
    "spread": ([0.04, 1.4, 1.6, 1.7], [0.0, 0.96, 0.9, 0.8], [0.5, 0.22, 0.15, 0.13]),
    "shrink": ([0.04, 0.03, 0.02, 0.01], [0.0, 0.1, 0.2, 0.3], [0.5, 0.5, 0.5, 0.5]),
    "stay": ([0.04, 0.041, 0.042, 0.043], [0.0, 0.01, 0.02, 0.02], [0.5, 0.5, 0.5, 0.51]),
}


def measured(kind):
    norms, cosines, real = RUNS[kind]
    return {"norm": norms, "cosine": cosines, "real": real}


def test_every_outcome_has_a_run_that_shows_it():
    assert sorted(RUNS) == sorted(COLLAPSE_OUTCOMES)
    for kind, (norms, cosines, real) in RUNS.items():
        assert collapse_outcome(norms, cosines, real) == kind


@pytest.mark.parametrize("kind", sorted(RUNS))
@pytest.mark.parametrize("prediction", sorted(COLLAPSE_OUTCOMES))
def test_the_prediction_is_right_exactly_when_the_run_shows_it(kind, prediction, capsys):
    verdict, out = run(lambda p: check_collapse_prediction(p, measured(kind)), prediction, capsys)
    assert verdict is (prediction == kind), out
    if prediction == kind:
        assert f"✓ you predicted {kind!r}: right." in out
    else:
        assert f"✗ you predicted {prediction!r}, but this run measured {kind!r}." in out
        # the hint says what the measured outcome means
        assert COLLAPSE_OUTCOMES[kind][:30] in out.replace("\n    ", " ")
    # the numbers the verdict rests on are printed
    assert f"mean cosine of random pairs {RUNS[kind][1][0]:.2f} -> {RUNS[kind][1][-1]:.2f}" in out


def test_a_prediction_not_yet_made_or_not_an_outcome_is_not_judged(capsys):
    verdict, out = run(lambda p: check_collapse_prediction(p, measured("align")), None, capsys)
    assert verdict is False and "not attempted yet" in out and "measured" not in out
    verdict, out = run(lambda p: check_collapse_prediction(p, measured("align")), "explode", capsys)
    assert verdict is False and "'explode', which is none of the outcomes" in out
    # spelling aside, a named outcome counts
    assert run(lambda p: check_collapse_prediction(p, measured("align")), " Align", capsys)[0]


def test_the_measurements_must_line_up():
    with pytest.raises(ValueError, match="the same number of each"):
        collapse_outcome([0.1, 0.2], [0.0, 0.5, 0.9], [0.5, 0.6])
    with pytest.raises(ValueError, match="before training and after each epoch"):
        collapse_outcome([0.1], [0.0], [0.5])


def test_the_chapter_answers_its_prediction_exercise():
    # the chapter's one prediction solution names an outcome of the check; nbval runs it
    # against the chapter's own experiment
    predictions = [s for s in solution_sources(CHAPTER_4) if is_prediction(s)]
    assert len(predictions) == 1
    # it takes a prediction, not a function: the tests of function checks leave it out
    assert "check_collapse_prediction" in checks.PREDICTION_CHECKS
    namespace = {}
    exec(predictions[0].split("assert")[0], namespace)
    assert namespace["prediction"] in COLLAPSE_OUTCOMES
