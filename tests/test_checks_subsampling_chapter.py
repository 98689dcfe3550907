"""The exercise checks of chapter 5: the derivation (where word2vec.c starts dropping a
word) accepts the chapter's solution and rejects typical wrong answers, each with its
hint; the "predict, then run" check says right exactly when the prediction is what
the run measured, for every outcome."""

import math

import pytest
import torch

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_first_dropped_share, check_subsampling_prediction
from w2v_lib.checks.subsampling import OUTCOMES, measured_outcome
from w2v_lib.scores import ScoreTable
from w2v_lib.subsampling import keep_probability_of_share

CHAPTER_5 = "05_subsampling_recipe.ipynb"


def test_the_chapter_has_one_solution_cell():
    # the prediction's solution is prose: only the derivation has a solution cell
    assert len(solution_sources(CHAPTER_5)) == 1


def test_the_chapter_solution_passes(capsys):
    verdict, out = run(check_first_dropped_share, solutions(CHAPTER_5)["first_dropped_share"], capsys)
    assert verdict and "All 5 cases pass. Well done!" in out


def test_the_answer_is_where_the_keep_probability_reaches_one():
    # brute force: the keep-probability is 1 just below the answer and below 1 just above
    right = solutions(CHAPTER_5)["first_dropped_share"]
    for t in (1e-3, 1e-5):
        f = right(t)
        below, above = keep_probability_of_share(torch.tensor([f * (1 - 1e-9), f * (1 + 1e-9)],
                                                              dtype=torch.float64), t)
        assert float(below) == 1.0 and float(above) < 1.0


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: first_dropped_share still raises NotImplementedError.", None),
    (lambda t: t, "✗ t = 0.1: expected 0.2618, got 0.1.", "the paper's sqrt(t / f)"),
    (lambda t: t * (1 + math.sqrt(5)) / 2, "✗ t = 0.1: expected 0.2618, got 0.1618.", "t / f is x^2, not x"),
    (lambda t: t * (3 - math.sqrt(5)) / 2, "✗ t = 0.1: expected 0.2618, got 0.0382.", "negative root"),
    (lambda t: 2.618 * t, "✗ t = 0.1: expected 0.261803, got 0.2618.", "rounded to four digits"),
    # the share where the paper's formula keeps 1 in 2.618: no hint, a plain difference
    (lambda t: t * 2.618 ** 2, "✗ t = 0.1: expected 0.2618, got 0.6854.", None),
    (lambda t: [t * (3 + math.sqrt(5)) / 2], "✗ t = 0.1: expected a number, got list", None),
    (lambda t: float("nan"), "✗ t = 0.1: expected 0.2618, got nan.", None),
])
def test_first_dropped_share_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_first_dropped_share, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out
    else:
        assert "Hint:" not in out


def test_first_dropped_share_accepts_a_tensor_and_float32(capsys):
    verdict, out = run(check_first_dropped_share,
                       lambda t: torch.tensor(t, dtype=torch.float32) * (3 + torch.tensor(5.0).sqrt()) / 2,
                       capsys)
    assert verdict, out


# --- predict, then run ----------------------------------------------------------------


def table_where(rare: str, frequent: str) -> ScoreTable:
    """Three seeds of "off" and "1e-5" whose WS353 halves come out as asked."""
    means = {"better": 0.40, "same": 0.31, "worse": 0.20}
    table = ScoreTable()
    for seed, noise in enumerate((-0.02, 0.0, 0.02)):
        table.add("off", {"WS353 rare": 0.30 + noise, "WS353 frequent": 0.30 + noise})
        table.add("1e-5", {"WS353 rare": means[rare] + noise, "WS353 frequent": means[frequent] + noise})
    return table


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_the_measured_outcome_follows_the_spread(outcome):
    table = table_where(outcome, outcome)
    assert measured_outcome(table, "WS353 rare") == outcome


def test_a_gap_just_inside_and_just_outside_one_standard_deviation():
    table = ScoreTable()
    for value in (0.29, 0.30, 0.31):  # standard deviation 0.01
        table.add("off", {"m": value})
        table.add("1e-5", {"m": value + 0.0099})
    assert measured_outcome(table, "m") == "same"
    table = ScoreTable()
    for value in (0.29, 0.30, 0.31):
        table.add("off", {"m": value})
        table.add("1e-5", {"m": value - 0.0101})
    assert measured_outcome(table, "m") == "worse"


@pytest.mark.parametrize("rare", OUTCOMES)
@pytest.mark.parametrize("frequent", OUTCOMES)
@pytest.mark.parametrize("said_rare", OUTCOMES)
@pytest.mark.parametrize("said_frequent", OUTCOMES)
def test_the_prediction_is_right_exactly_when_it_is_what_was_measured(
        rare, frequent, said_rare, said_frequent, capsys):
    table = table_where(rare, frequent)
    verdict = check_subsampling_prediction({"rare": said_rare, "frequent": said_frequent}, table)
    out = " ".join(capsys.readouterr().out.split())
    assert verdict is (said_rare == rare and said_frequent == frequent), out
    if said_rare != rare:
        # the report names both outcomes and shows the numbers that decided
        assert (f"✗ rare words (WS353 rare): t = 1e-5 against off: you predicted {said_rare!r}; "
                f"this run measured {rare!r}") in out, out
    elif said_frequent != frequent:
        assert "✓ rare words" in out
        assert f"you predicted {said_frequent!r}; this run measured {frequent!r}" in out, out
    else:
        assert "All 2 cases pass. Well done!" in out


def test_the_numbers_in_the_report_show_the_difference(capsys):
    check_subsampling_prediction({"rare": "same", "frequent": "same"}, table_where("better", "same"))
    out = " ".join(capsys.readouterr().out.split())
    assert "t = 1e-5 0.400 ± 0.020, off 0.300 ± 0.020." in out, out


def test_an_untouched_prediction_is_not_attempted_yet(capsys):
    verdict = check_subsampling_prediction(..., table_where("same", "same"))
    out = " ".join(capsys.readouterr().out.split())
    assert verdict is False and "… not attempted yet: replace the ... with your prediction" in out


@pytest.mark.parametrize("prediction", [
    "better", {"rare": "better"}, {"rare": "better", "frequent": "higher"},
    {"rare": "better", "frequent": "same", "all": "same"}, ["better", "same"]])
def test_a_prediction_of_the_wrong_form_is_named(prediction, capsys):
    verdict = check_subsampling_prediction(prediction, table_where("same", "same"))
    out = " ".join(capsys.readouterr().out.split())
    assert verdict is False
    assert "✗ the prediction must be a dict with the keys 'rare' and 'frequent'" in out, out
    assert repr(prediction) in out


def test_a_table_without_the_settings_is_an_error_that_says_what_to_run():
    table = ScoreTable()
    table.add("off", {"WS353 rare": 0.3, "WS353 frequent": 0.3})
    with pytest.raises(ValueError, match="no setting '1e-5'; run the experiment"):
        check_subsampling_prediction({"rare": "same", "frequent": "same"}, table)
