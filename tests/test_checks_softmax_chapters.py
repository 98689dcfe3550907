"""The exercise checks of chapters 2 and 3 accept the chapters' solutions and reject
typical wrong answers, each with a message that names what is wrong."""

import pytest
import torch
import torch.nn.functional as F

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import (check_cbow_scores, check_masked_mean, check_sentence_cbow_examples,
                            check_sentence_pairs, check_skipgram_grads, check_softmax_grad)

CHAPTER_2 = "02_skipgram_softmax.ipynb"
CHAPTER_3 = "03_cbow_softmax.ipynb"


@pytest.mark.parametrize("chapter, count", [(CHAPTER_2, 3), (CHAPTER_3, 3)])
def test_each_chapter_has_its_solutions(chapter, count):
    assert len(solution_sources(chapter)) == count


@pytest.mark.parametrize("chapter, name, check", [
    (CHAPTER_2, "sentence_pairs", check_sentence_pairs),
    (CHAPTER_2, "softmax_grad", check_softmax_grad),
    (CHAPTER_2, "skipgram_grads", check_skipgram_grads),
    (CHAPTER_3, "sentence_cbow_examples", check_sentence_cbow_examples),
    (CHAPTER_3, "masked_mean", check_masked_mean),
    (CHAPTER_3, "cbow_scores", check_cbow_scores),
])
def test_the_chapter_solutions_pass(chapter, name, check, capsys):
    verdict, out = run(check, solutions(chapter)[name], capsys)
    assert verdict and "cases pass" in out


# --- chapter 2 ---------------------------------------------------------------------


def pairs_with(lo, hi, self_pair=False):
    def pairs(sentence, window):
        return [(sentence[t], sentence[j]) for t in range(len(sentence))
                for j in range(t + lo(window), t + hi(window) + 1)
                if 0 <= j < len(sentence) and (self_pair or j != t)]
    return pairs


@pytest.mark.parametrize("wrong, message", [
    (stub, "not attempted yet"),
    (pairs_with(lambda w: -w + 1, lambda w: w - 1), "expected 2 items, got 0; the first missing one is ('hello', 'world')"),  # window one too small
    (pairs_with(lambda w: -w, lambda w: w, self_pair=True), "item 0: expected ('hello', 'world'), got ('hello', 'hello')"),
    (pairs_with(lambda w: 1, lambda w: w), "expected 2 items, got 1"),  # right side only
    (pairs_with(lambda w: -w - 1, lambda w: w + 1), "item 1: expected ('quick', 'the'), got ('the', 'brown')"),  # window one too big
    (lambda s, w: [[a, b] for a, b in pairs_with(lambda w: -w, lambda w: w)(s, w)][::-1], "item 0"),  # reversed order
    (lambda s, w: {"pairs": []}, "expected a list, got dict"),
])
def test_sentence_pairs_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_sentence_pairs, wrong, capsys)
    assert verdict is False and message in out


def test_sentence_pairs_names_the_mistake(capsys):
    _, out = run(check_sentence_pairs, pairs_with(lambda w: -w, lambda w: w, self_pair=True), capsys)
    assert "Hint: the center word is not its own context" in out


def reference_softmax_grad(scores, targets):
    return (torch.softmax(scores, 1) - F.one_hot(targets, scores.shape[1])) / len(targets)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda s, t: reference_softmax_grad(s, t) * len(t), "4 examples, V=5: at index", "divide by the batch size"),
    (lambda s, t: -reference_softmax_grad(s, t), "one example, V=3: at index", "the sign is flipped"),
    (lambda s, t: torch.softmax(s, 1) / len(t), "one example, V=3: at index", "subtract 1 at the target"),
    (lambda s, t: reference_softmax_grad(s, t).T, "expected shape (1, 3), got (3, 1)", None),
    (lambda s, t: reference_softmax_grad(s, t).double(), "expected dtype torch.float32, got torch.float64", None),
    (lambda s, t: torch.softmax(s, 0) - F.one_hot(t, s.shape[1]) / len(t), "at index", None),  # softmax over the batch
])
def test_softmax_grad_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_softmax_grad, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out or hint in out


def delta(v, U, o):
    return reference_softmax_grad(v @ U.T, o)


@pytest.mark.parametrize("wrong, message", [
    (stub, "not attempted yet"),
    (lambda v, U, o: (delta(v, U, o) @ U, v.T @ delta(v, U, o)), "grad_output: expected shape (3, 2), got (2, 3) (it looks transposed)"),
    (lambda v, U, o: (delta(v, U, o) @ U * len(o), delta(v, U, o).T @ v * len(o)), "5 pairs, V=8, d=4: grad_center: at index"),
    (lambda v, U, o: (-(delta(v, U, o) @ U), -(delta(v, U, o).T @ v)), "grad_center: at index"),
    (lambda v, U, o: delta(v, U, o) @ U, "expected a tuple of 2 tensors"),
    (lambda v, U, o: (delta(v, U, o) @ U, torch.zeros_like(U)), "grad_output: at index"),
])
def test_skipgram_grads_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_skipgram_grads, wrong, capsys)
    assert verdict is False and message in out


# --- chapter 3 ---------------------------------------------------------------------


def cbow_examples_with(lo, hi, with_center=False, keep_empty=False):
    def examples(sentence, window):
        result = []
        for t, center in enumerate(sentence):
            context = [sentence[j] for j in range(t + lo(window), t + hi(window) + 1)
                       if 0 <= j < len(sentence) and (with_center or j != t)]
            if context or keep_empty:
                result.append((context, center))
        return result
    return examples


@pytest.mark.parametrize("wrong, message", [
    (stub, "not attempted yet"),
    (cbow_examples_with(lambda w: -w, lambda w: w, keep_empty=True), "expected 0 items, got 1"),
    (cbow_examples_with(lambda w: -w, lambda w: w, with_center=True), "item 0: expected (['world'], 'hello'), got (['hello', 'world'], 'hello')"),
    (cbow_examples_with(lambda w: -w + 1, lambda w: w - 1), "expected 2 items, got 0; the first missing one is (['world'], 'hello')"),
    (lambda s, w: [(c, ctx) for ctx, c in cbow_examples_with(lambda w: -w, lambda w: w)(s, w)], "item 0"),
])
def test_sentence_cbow_examples_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_sentence_cbow_examples, wrong, capsys)
    assert verdict is False and message in out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda x, m: (x * m[..., None]).sum(1) / x.shape[1], "one padded slot: at index [0, 0]: expected 2, got 1.333", "not by the number of slots"),
    (lambda x, m: x.mean(1), "one padded slot: at index [0, 0]: expected 2, got 18", "multiply by the mask"),
    (lambda x, m: (x * m[..., None]).sum(1), "all slots real: at index [0, 0]: expected 2, got 4", "that is the sum"),
    (lambda x, m: ((x * m[..., None]).sum(1) / m.sum(1, keepdim=True)).T, "expected shape (1, 2), got (2, 1)", None),
])
def test_masked_mean_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_masked_mean, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def masked_mean(x, m):
    return (x * m[..., None]).sum(1) / m.sum(1, keepdim=True)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda i, o, c, m: masked_mean(o[c], m) @ i.T, "at index", "looked up in the input table"),
    (lambda i, o, c, m: (i[c] * m[..., None]).sum(1) @ o.T, "at index", "not their sum"),
    (lambda i, o, c, m: i[c].mean(1) @ o.T, "at index", "use the mask"),
    (lambda i, o, c, m: o @ masked_mean(i[c], m).T, "expected shape (1, 4), got (4, 1)", None),
])
def test_cbow_scores_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_cbow_scores, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out
