"""The exercise checks of chapter 7 accept the chapter's solutions and reject typical
wrong answers, each with a message that names what is wrong."""

import pytest
import torch

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_add_rows, check_fold_windows, check_window_mask
from w2v_lib.fast_training import window_mask

CHAPTER_7 = "07_training_fast.ipynb"


def test_the_chapter_has_its_solutions():
    assert len(solution_sources(CHAPTER_7)) == 3


@pytest.mark.parametrize("name, check", [
    ("window_mask", check_window_mask),
    ("fold_windows", check_fold_windows),
    ("add_rows", check_add_rows),
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
