"""The exercise checks of chapter 6 accept the chapter's solutions and reject typical
wrong answers, each with a message that names what is wrong; the prediction check says
"right" exactly when the prediction is what the run measured."""

import re

import numpy as np
import pytest
import torch
from scipy.stats import pearsonr, rankdata, spearmanr

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_length_prediction, check_spearman, check_three_cos_add
from w2v_lib.frequency_effects import LENGTH_OUTCOMES, FrequencyBand, FrequencyEffects

CHAPTER_6 = "06_evaluation.ipynb"


def test_the_chapter_has_its_solutions():
    assert len(solution_sources(CHAPTER_6)) == 3


@pytest.mark.parametrize("name, check", [
    ("three_cos_add", check_three_cos_add),
    ("spearman", check_spearman),
])
def test_the_chapter_solutions_pass(name, check, capsys):
    verdict, out = run(check, solutions(CHAPTER_6)[name], capsys)
    assert verdict and "All " in out and " cases pass. Well done!" in out


def scores(unit, a, b, c):
    return unit @ (unit[b] - unit[a] + unit[c])


def excluding(queries, low=-float("inf")):
    """3CosAdd that sets the scores of some query words (0 = a, 1 = b, 2 = c) to ``low``."""
    def answer(u, a, b, c):
        s = scores(u, a, b, c)
        s[[(a, b, c)[q] for q in queries]] = low
        return int(s.argmax())
    return answer


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: three_cos_add still raises NotImplementedError.", None),
    (lambda u, a, b, c: int(scores(u, a, b, c).argmax()),
     "✗ 5 words, where c itself scores highest: expected word 3, got word 2, which is c, one of the query "
     "words: they are never answers.", "exclude the three query words"),
    (lambda u, a, b, c: scores(u, a, b, c),
     "✗ 5 words, where c itself scores highest: expected a word index (an int), got a tensor of shape (5,).", None),
    (lambda u, a, b, c: float(scores(u, a, b, c).max()),
     "✗ 5 words, where c itself scores highest: expected a word index (an int), got float.", None),
    (lambda u, a, b, c: int(scores(u, a, b, c).argmin()),
     "✗ 5 words, where c itself scores highest: expected word 3 (score 0.9413), got word 4 (score -0.1961).", None),
    # only b and c excluded: a wins when a, b and c are close together
    (excluding([1, 2]), "✗ 5 words, where a scores highest once b and c are out: expected word 4, got word 0, "
     "which is a, one of the query words", "exclude a too"),
    # excluded by a score of 0 or -1: wins when every other word scores below it
    (excluding([0, 1, 2], low=0.0), "✗ 6 words, where every answer scores below -1: expected word 4, got word 0, "
     "which is b, one of the query words", "a score of 0 or -1 does not exclude a query word"),
    (excluding([0, 1, 2], low=-1.0), "✗ 6 words, where every answer scores below -1: expected word 4, got word 0, "
     "which is b, one of the query words", "a score of 0 or -1 does not exclude a query word"),
])
def test_three_cos_add_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_three_cos_add, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out


def test_three_cos_add_names_the_swapped_formula(capsys):
    def swapped(u, a, b, c):  # a - b + c
        s = scores(u, b, a, c)
        s[[a, b, c]] = -float("inf")
        return int(s.argmax())

    verdict, out = run(check_three_cos_add, swapped, capsys)
    assert verdict is False and "b - a + c" in out


def ordinal_ranks(values):
    return torch.tensor(values).argsort().argsort().double()


def argsort_once(values):  # the order that sorts the list, not the ranks
    return torch.tensor(values).argsort().double()


def shortcut(x, y):  # 1 - 6 sum d^2 / (n (n^2 - 1)): right only without ties
    d = torch.tensor(rankdata(x)) - torch.tensor(rankdata(y))
    return float(1 - 6 * (d ** 2).sum() / (len(x) * (len(x) ** 2 - 1)))


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: spearman still raises NotImplementedError.", None),
    (lambda x, y: float(pearsonr(x, y).statistic), "✗ no ties, a perfect order: expected 1, got 0.9393.",
     "that is Pearson's correlation of the values; rank them first."),
    (lambda x, y: float(pearsonr(ordinal_ranks(x), ordinal_ranks(y)).statistic), "✗ with ties: expected 0.7632, got 0.7.",
     "tied values share the average of their ranks"),
    (lambda x, y: 1, "✗ no ties, a perfect order: expected a float, got int.", None),
    (lambda x, y: np.float32(spearmanr(x, y).statistic),
     "✗ no ties, a perfect order: expected a float, got float32 (convert it with float(...)).", None),
    (lambda x, y: -float(pearsonr(ordinal_ranks(x), ordinal_ranks(y)).statistic),
     "✗ no ties, a perfect order: expected 1, got -1.", None),
    # the no-ties cases list their values out of order, and their ranks are not their
    # own inverse, so argsort alone (the inverse of the ranks) is caught there
    (lambda x, y: float(pearsonr(argsort_once(x), argsort_once(y)).statistic),
     "✓ no ties, a perfect order ✗ no ties, non-linear: expected -0.4, got -0.9.", "argsort gives the positions"),
    (shortcut, "✗ with ties: expected 0.7632, got 0.775.",
     "1 - 6 sum d^2 / (n (n^2 - 1)) holds only without ties"),
])
def test_spearman_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_spearman, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out


def test_spearman_shows_a_small_difference(capsys):
    """Off by 1e-5 (more than rounding, 1.7e-6 on four pairs; the check used to print
    "expected 1.000000, got 0.999990" for this, and "expected 0.800000, got
    0.800000" for a right float32 answer it rejected): the report prints digits
    enough to show the difference, and the difference itself."""
    verdict, out = run(check_spearman, lambda x, y: float(spearmanr(x, y).statistic) - 1e-5, capsys)
    assert verdict is False
    assert "✗ no ties, a perfect order: expected 1, got 0.99999 (off by 1e-05, more than rounding explains: 1.7e-06)." in out


# --- exercise 6.1: predict, then run --------------------------------------------------


def measured(spearman):
    """A measurement whose Spearman correlation is ``spearman`` (one band of 1,000
    words)."""
    return FrequencyEffects(spearman, (FrequencyBand(5, None, 1_000, 1.5, 40.0),))


# a correlation that reads as each outcome
RUNS = {"longer": 0.62, "shorter": -0.45, "unrelated": 0.03}


def judge(prediction, effects, capsys):
    verdict = check_length_prediction(prediction, effects)
    assert isinstance(verdict, bool)
    return verdict, " ".join(capsys.readouterr().out.split())


def test_the_chapter_solution_predicts_one_of_the_outcomes():
    """The solution writes a prediction and checks it against the chapter's own run
    (nbval runs it there: it needs the run)."""
    (source,) = [s for s in solution_sources(CHAPTER_6) if "check_length_prediction" in s]
    prediction = re.search(r'^prediction = "(\w+)"', source, re.M).group(1)
    assert prediction in LENGTH_OUTCOMES
    assert source.rstrip().endswith("assert check_length_prediction(prediction, effects)")


@pytest.mark.parametrize("truth", LENGTH_OUTCOMES)
@pytest.mark.parametrize("prediction", LENGTH_OUTCOMES)
def test_a_prediction_is_right_exactly_when_the_run_measured_it(prediction, truth, capsys):
    verdict, out = judge(prediction, measured(RUNS[truth]), capsys)
    assert f"measured in this run: Spearman {RUNS[truth]:+.2f} between count and length " \
           f"over 1,000 words, so {truth!r}." in out
    if prediction == truth:
        assert verdict is True
        assert f"✓ you predicted {prediction!r}: right. Well done!" in out and "✗" not in out
    else:
        assert verdict is False
        assert f"✗ you predicted {prediction!r}, but this run measured {truth!r}." in out
        hints = re.findall(r"Hint: (.*)", out)
        assert len(hints) == 1 and "✓" not in out


def test_each_wrong_prediction_gets_its_own_hint(capsys):
    seen = set()
    for truth in LENGTH_OUTCOMES:
        for prediction in LENGTH_OUTCOMES:
            if prediction != truth:
                out = judge(prediction, measured(RUNS[truth]), capsys)[1]
                seen.add(out.split("Hint: ")[1])
    assert len(seen) == 5  # "too weak to call" is one hint for both wrong outcomes
    out = judge("shorter", measured(RUNS["longer"]), capsys)[1]
    assert "Hint: the most frequent words are thinned out by subsampling" in out


@pytest.mark.parametrize("stub_prediction", [None, ...])
def test_no_prediction_is_not_attempted_and_hides_the_measurement(stub_prediction, capsys):
    verdict, out = judge(stub_prediction, measured(0.62), capsys)
    assert verdict is False
    assert "… not attempted yet: set `prediction` to one of 'longer', 'shorter', " \
           "'unrelated' before you look at the measurement" in out
    assert "Spearman" not in out and "0.62" not in out


@pytest.mark.parametrize("wrong", ["long", "bigger", 1, True, ["longer"]])
def test_an_answer_that_is_no_outcome_is_refused(wrong, capsys):
    verdict, out = judge(wrong, measured(0.62), capsys)
    assert verdict is False
    assert "which is none of the outcomes: write one of 'longer', 'shorter', 'unrelated'." in out
    assert "Spearman" not in out


@pytest.mark.parametrize("written", ["Longer", " longer ", "LONGER\n"])
def test_the_same_prediction_written_otherwise_passes(written, capsys):
    verdict, out = judge(written, measured(0.62), capsys)
    assert verdict is True and "✓ you predicted 'longer': right." in out


@pytest.mark.parametrize("spearman, outcome", [
    (0.1, "unrelated"), (0.1001, "longer"), (-0.1, "unrelated"), (-0.1001, "shorter"), (0.0, "unrelated")])
def test_the_outcome_at_the_edges(spearman, outcome, capsys):
    verdict, out = judge(outcome, measured(spearman), capsys)
    assert verdict is True, out


def test_the_prediction_check_is_registered_as_one():
    import w2v_lib.checks as checks
    assert "check_length_prediction" in checks.__all__
    assert "check_length_prediction" in checks.PREDICTION_CHECKS
    assert set(checks.PREDICTION_CHECKS) <= set(checks.__all__)
