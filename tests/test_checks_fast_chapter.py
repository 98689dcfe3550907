"""The exercise checks of chapter 7 accept the chapter's solutions and reject typical
wrong answers, each with a message that names what is wrong."""

import pytest
import torch

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import (check_add_rows, check_fewest_capped_pairs, check_fold_windows,
                            check_window_mask)
from w2v_lib.fast_training import window_mask

CHAPTER_7 = "07_training_fast.ipynb"


def test_the_chapter_has_its_solutions():
    assert len(solution_sources(CHAPTER_7)) == 4


@pytest.mark.parametrize("name, check", [
    ("window_mask", check_window_mask),
    ("fold_windows", check_fold_windows),
    ("add_rows", check_add_rows),
    ("fewest_capped_pairs", check_fewest_capped_pairs),
])
def test_the_chapter_solutions_pass(name, check, capsys):
    verdict, out = run(check, solutions(CHAPTER_7)[name], capsys)
    assert verdict and "All " in out and " cases pass. Well done!" in out


def offsets(w):
    return torch.arange(-w, w + 1)


def no_sentences(s, r, w):
    return ((offsets(w).abs() <= r[:, None]) & (offsets(w) != 0)).expand(len(s) - 2 * w, -1)


def with_center(s, r, w):
    return window_mask(s, r, w) | (offsets(w) == 0)


def strict(s, r, w):
    return window_mask(s, r, w) & (offsets(w).abs() < r[:, None])


def full_window(s, r, w):
    return window_mask(s, torch.full_like(r, w), w)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: window_mask still raises NotImplementedError.", None),
    (with_center, "✗ window 2, one sentence, full windows: at index [0, 2]: expected False, got True.",
     "the center itself"),
    (strict, "✗ window 2, one sentence, full windows: at index [0, 4]: expected True, got False.",
     "b included (use <=)"),
    # the first centers' windows reach into the padding, sentence -1
    (no_sentences, "✗ window 2, one sentence, full windows: at index [0, 0]: expected False, got True.",
     "stops at the sentence boundary"),
    (full_window, "✗ window 2, reduced windows of 1 and 2: at index [0, 4]: expected False, got True.", None),
    (lambda s, r, w: window_mask(s, r, w).long(),
     "✗ window 2, one sentence, full windows: expected dtype torch.bool, got torch.int64.", None),
    # a 5 x 5 mask: the transpose has the right shape and wrong values
    (lambda s, r, w: window_mask(s, r, w).T,
     "✗ window 2, one sentence, full windows: at index [0, 2]: expected False, got True.", None),
])
def test_window_mask_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_window_mask, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def assigned(grads, w):
    size, width, dim = grads.shape
    block = grads.new_zeros(size + width - 1, dim)
    for j in range(width):
        block[j:j + size] = grads[:, j]
    return block


def centers_only(grads, w):
    block = grads.new_zeros(grads.shape[0] + 2 * w, grads.shape[2])
    block[w:w + grads.shape[0]] = grads.sum(1)
    return block


def shifted(grads, w):  # position j sent to row i + j + 1
    size, width, dim = grads.shape
    block = grads.new_zeros(size + width, dim)
    for j in range(width):
        block[j + 1:j + 1 + size] += grads[:, j]
    return block[:-1]


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: fold_windows still raises NotImplementedError.", None),
    (assigned, "✗ window 1, 3 centers, d=1: at index [1, 0]: expected 4, got 1.", "add (+=)"),
    (centers_only, "✗ window 1, 3 centers, d=1: at index [1, 0]: expected 4, got 3.",
     "not the center i + window"),
    (shifted, "✗ window 1, 3 centers, d=1: at index [1, 0]: expected 4, got 0.", None),
    (lambda g, w: g.sum(1), "✗ window 1, 3 centers, d=1: expected shape (5, 1), got (3, 1).", None),
])
def test_fold_windows_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_fold_windows, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def fancy(table, rows, grads):
    table[rows] += grads
    return table


def copied(table, rows, grads):
    return table.clone().index_add_(0, rows, grads)


def written_out(table, rows, grads):  # the same mistake as fancy, written out
    table[rows] = table[rows] + grads
    return table


def returns_other(table, rows, grads):
    table.index_add_(0, rows, grads)
    return grads


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: add_rows still raises NotImplementedError.", None),
    (fancy, "✗ row 1 three times: at index [1, 0]: expected 3, got 1.",
     "table[rows] += grads keeps only one of the updates of a repeated row"),
    (written_out, "✗ row 1 three times: at index [1, 0]: expected 3, got 1.",
     "table[rows] += grads keeps only one of the updates of a repeated row"),
    (copied, "✗ 3 distinct rows: your function left `table` as it was and returned a new tensor. Update "
             "`table` in place (a method with a trailing underscore, such as index_add_, changes the "
             "tensor it is called on) and return it.", None),
    (returns_other, "✗ 3 distinct rows: your function changed `table` but returned something else; "
                    "return `table` itself.", None),
    (lambda t, r, g: t.index_add_(0, r, -g), "✗ 3 distinct rows: at index [0, 0]: expected 3, got -3.", None),
    (lambda t, r, g: None, "✗ 3 distinct rows: your function returned None.", None),
])
def test_add_rows_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_add_rows, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out


def test_add_rows_does_not_blame_the_learner_for_the_checks_own_error(capsys):
    """The check used to wrap the function and raise its own ValueError, which the
    report then gave as "your function raised ValueError"."""
    verdict, out = run(check_add_rows, copied, capsys)
    assert verdict is False
    assert "raised" not in out and "ValueError" not in out


def test_add_rows_reports_a_change_to_the_gradients(capsys):
    def scales_grads(table, rows, grads):
        grads *= 0.5  # changes the caller's gradients
        return table.index_add_(0, rows, grads * 2)

    verdict, out = run(check_add_rows, scales_grads, capsys)
    assert verdict is False
    assert "✗ 3 distinct rows: your function changed its argument `grads` in place" in out


# --- exercise 7.4: the fewest pairs for which the cap can cut a row's rate -----------


def test_below_the_answer_the_cap_cannot_act_and_above_it_can():
    # n pairs of vectors of length l, at the largest curvature the bound allows
    # (every sigma' = 1/4): the rate min(rate, 2 / H) is cut just above n, not below
    right = solutions(CHAPTER_7)["fewest_capped_pairs"]
    for rate, length in [(0.025, 1.0), (0.1, 3.0)]:
        n = right(rate, length)
        for pairs, cut in [(n * (1 - 1e-9), False), (n * (1 + 1e-9), True)]:
            curvature = pairs * 0.25 * length ** 2
            assert (min(rate, 2 / curvature) < rate) is cut


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: fewest_capped_pairs still raises NotImplementedError.",
     None),
    (lambda a, l: 2 / (a * l ** 2), "✗ rate 0.025, length 1: expected 320, got 80.",
     "at most 1/4"),
    (lambda a, l: 8 / (a * l), "✗ rate 0.025, length 3: expected 35.56, got 106.7.",
     "squared length"),
    (lambda a, l: 4 / (a * l ** 2), "✗ rate 0.025, length 1: expected 320, got 160.",
     "not 1 / H"),
    (lambda a, l: a * l ** 2 / 8, "✗ rate 0.025, length 1: expected 320, got 0.003125.",
     "that is 1 / n"),
    # a whole number of pairs: no hint, a plain difference
    (lambda a, l: float(int(8 / (a * l ** 2)) + 1), "✗ rate 0.025, length 1: expected 320, got 321.",
     None),
    (lambda a, l: "320", "✗ rate 0.025, length 1: expected a number, got str", None),
])
def test_fewest_capped_pairs_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_fewest_capped_pairs, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in " ".join(out.split())
    else:
        assert "Hint:" not in out


def test_fewest_capped_pairs_accepts_a_tensor_and_float32(capsys):
    verdict, out = run(check_fewest_capped_pairs,
                       lambda a, l: 2 / (torch.tensor(a, dtype=torch.float32) * l * l / 4),
                       capsys)
    assert verdict, out
