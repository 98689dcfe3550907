"""The exercise checks of chapters 2 and 3 accept the chapters' solutions and reject
typical wrong answers, each with a message that names what is wrong."""

import numpy as np
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
    assert verdict and "All " in out and " cases pass. Well done!" in out


# --- chapter 2 ---------------------------------------------------------------------


def pairs_with(lo, hi, self_pair=False):
    def pairs(sentence, window):
        return [(sentence[t], sentence[j]) for t in range(len(sentence))
                for j in range(t + lo(window), t + hi(window) + 1)
                if 0 <= j < len(sentence) and (self_pair or j != t)]
    return pairs


@pytest.mark.parametrize("wrong, message", [
    (stub, "… not attempted yet: sentence_pairs still raises NotImplementedError."),
    # window one too small
    (pairs_with(lambda w: -w + 1, lambda w: w - 1),
     "✗ three words, window 1: expected 4 items, got 0; the first missing one is ('hello', 'big')."),
    (pairs_with(lambda w: -w, lambda w: w, self_pair=True),
     "✗ three words, window 1: item 0: expected ('hello', 'big'), got ('hello', 'hello')."),
    # right side only
    (pairs_with(lambda w: 1, lambda w: w), "✗ three words, window 1: item 1: expected ('big', 'hello'), got ('big', 'world')."),
    # window one too big
    (pairs_with(lambda w: -w - 1, lambda w: w + 1),
     "✗ three words, window 1: item 1: expected ('big', 'hello'), got ('hello', 'world')."),
    # reversed order
    (lambda s, w: [[a, b] for a, b in pairs_with(lambda w: -w, lambda w: w)(s, w)][::-1],
     "✗ three words, window 1: item 0: expected ('hello', 'big'), got ['world', 'big']."),
    (lambda s, w: {"pairs": []}, "✗ three words, window 1: expected a list, got dict."),
    (lambda s, w: np.array(pairs_with(lambda w: -w, lambda w: w)(s, w)), "✗ three words, window 1: expected a list, got ndarray."),
])
def test_sentence_pairs_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_sentence_pairs, wrong, capsys)
    assert verdict is False and message in out


@pytest.mark.parametrize("wrong, hint", [
    (pairs_with(lambda w: -w, lambda w: w, self_pair=True), "the center word is not its own context"),
    (pairs_with(lambda w: -w + 1, lambda w: w - 1), "a window of w takes the w words on each side"),
    (pairs_with(lambda w: 1, lambda w: w), "the context lies on both sides of the center"),
])
def test_sentence_pairs_names_the_mistake(wrong, hint, capsys):
    _, out = run(check_sentence_pairs, wrong, capsys)
    assert f"Hint: {hint}" in out


def test_sentence_pairs_reads_pairs_given_as_numpy_arrays(capsys):
    """A list of numpy arrays used to end in the check's own traceback (an array
    compared with a tuple has no single truth value); now it is read as pairs."""
    right = lambda s, w: [np.array(pair) for pair in pairs_with(lambda w: -w, lambda w: w)(s, w)]  # noqa: E731
    verdict, out = run(check_sentence_pairs, right, capsys)
    assert verdict is True and "All 6 cases pass" in out
    wrong = lambda s, w: [np.array(pair) for pair in pairs_with(lambda w: -w, lambda w: w, self_pair=True)(s, w)]  # noqa: E731
    verdict, out = run(check_sentence_pairs, wrong, capsys)
    assert verdict is False
    assert "✗ three words, window 1: item 0: expected ('hello', 'big'), got array(['hello', 'hello']" in out


def reference_softmax_grad(scores, targets):
    return (torch.softmax(scores, 1) - F.one_hot(targets, scores.shape[1])) / len(targets)


def unstable_softmax_grad(scores, targets):
    exp = torch.exp(scores)  # inf above 88.7 in float32
    return (exp / exp.sum(1, keepdim=True) - F.one_hot(targets, scores.shape[1])) / len(targets)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: softmax_grad still raises NotImplementedError.", None),
    (lambda s, t: reference_softmax_grad(s, t) * len(t), "✗ 4 examples, V=5: at index [0, 0]: expected 0.005449, got 0.02179.",
     "the loss is the mean over the batch, so divide by the batch size."),
    (lambda s, t: -reference_softmax_grad(s, t), "✗ one example, V=3: at index [0, 0]: expected 0.7838, got -0.7838.",
     "the sign is flipped"),
    (lambda s, t: torch.softmax(s, 1) / len(t), "✗ one example, V=3: at index [0, 2]: expected -0.9074, got 0.09265.",
     "subtract 1 at the target"),
    (lambda s, t: reference_softmax_grad(s, t).T, "✗ one example, V=3: expected shape (1, 3), got (3, 1) (it looks transposed).", None),
    (lambda s, t: reference_softmax_grad(s, t).double(), "✗ one example, V=3: expected dtype torch.float32, got torch.float64.", None),
    # softmax over the batch
    (lambda s, t: torch.softmax(s, 0) - F.one_hot(t, s.shape[1]) / len(t), "✗ one example, V=3: at index [0, 0]: expected 0.7838, got 1.", None),
    # exp(s) / exp(s).sum() is right for small scores and nan above 88
    (unstable_softmax_grad, "✓ 256 examples, V=10,000 ✗ 3 examples, V=6, scores near 100: at index [0, 0]: expected -0.3333, got nan.",
     "exp(s) overflows float32 above s = 88.7"),
])
def test_softmax_grad_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_softmax_grad, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out


def delta(v, U, o):
    return reference_softmax_grad(v @ U.T, o)


@pytest.mark.parametrize("wrong, message", [
    (stub, "… not attempted yet: skipgram_grads still raises NotImplementedError."),
    (lambda v, U, o: (delta(v, U, o) @ U, v.T @ delta(v, U, o)),
     "✗ one pair, V=3, d=2: grad_output: expected shape (3, 2), got (2, 3) (it looks transposed)."),
    (lambda v, U, o: (delta(v, U, o) @ U * len(o), delta(v, U, o).T @ v * len(o)),
     "✗ 5 pairs, V=8, d=4: grad_center: at index [0, 0]: expected -0.1682, got -0.8408."),
    (lambda v, U, o: (-(delta(v, U, o) @ U), -(delta(v, U, o).T @ v)),
     "✗ one pair, V=3, d=2: grad_center: at index [0, 0]: expected 0.1058, got -0.1058."),
    (lambda v, U, o: delta(v, U, o) @ U,
     "✗ one pair, V=3, d=2: expected a tuple of 2 tensors (grad_center, grad_output), got Tensor."),
    (lambda v, U, o: (delta(v, U, o) @ U, torch.zeros_like(U)),
     "✗ one pair, V=3, d=2: grad_output: at index [0, 0]: expected -0.5717, got 0."),
])
def test_skipgram_grads_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_skipgram_grads, wrong, capsys)
    assert verdict is False and message in out


def test_skipgram_grads_names_an_earlier_stub_it_calls(capsys):
    """Exercise 2.3 may call softmax_grad from 2.2: if that one is still a stub, the
    check says so, instead of calling 2.3 "not attempted"."""
    namespace = {"torch": torch}
    exec("def softmax_grad(scores, targets):\n    raise NotImplementedError\n\n"
         "def skipgram_grads(center_vectors, output_vectors, contexts):\n"
         "    delta = softmax_grad(center_vectors @ output_vectors.T, contexts)\n"
         "    return delta @ output_vectors, delta.T @ center_vectors\n", namespace)
    verdict, out = run(check_skipgram_grads, namespace["skipgram_grads"], capsys)
    assert verdict is False
    assert "not attempted" not in out
    assert ("✗ one pair, V=3, d=2: your function calls softmax_grad, which still raises "
            "NotImplementedError: it looks like the stub of an earlier exercise. Finish "
            "softmax_grad first") in out


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
    (stub, "… not attempted yet: sentence_cbow_examples still raises NotImplementedError."),
    (cbow_examples_with(lambda w: -w, lambda w: w, keep_empty=True),
     "✗ one word: no example: expected 0 items, got 1; the first extra one is ([], 'alone')."),
    (cbow_examples_with(lambda w: -w, lambda w: w, with_center=True),
     "✗ two words, window 1: item 0: expected (['world'], 'hello'), got (['hello', 'world'], 'hello')."),
    (cbow_examples_with(lambda w: -w + 1, lambda w: w - 1),
     "✗ two words, window 1: expected 2 items, got 0; the first missing one is (['world'], 'hello')."),
    (lambda s, w: [(c, ctx) for ctx, c in cbow_examples_with(lambda w: -w, lambda w: w)(s, w)],
     "✗ two words, window 1: item 0: expected (['world'], 'hello'), got ('hello', ['world'])."),
])
def test_sentence_cbow_examples_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_sentence_cbow_examples, wrong, capsys)
    assert verdict is False and message in out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: masked_mean still raises NotImplementedError.", None),
    (lambda x, m: (x * m[..., None]).sum(1) / x.shape[1], "✗ one example, one padded slot: at index [0, 0]: expected 2, got 1.333.",
     "not by the number of slots"),
    (lambda x, m: x.mean(1), "✗ one example, one padded slot: at index [0, 0]: expected 2, got 18.", "multiply by the mask"),
    (lambda x, m: (x * m[..., None]).sum(1), "✗ one example, all slots real: at index [0, 0]: expected 2, got 4.", "that is the sum"),
    (lambda x, m: ((x * m[..., None]).sum(1) / m.sum(1, keepdim=True)).T,
     "✗ one example, all slots real: expected shape (1, 2), got (2, 1) (it looks transposed).", None),
])
def test_masked_mean_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_masked_mean, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def masked_mean(x, m):
    return (x * m[..., None]).sum(1) / m.sum(1, keepdim=True)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: cbow_scores still raises NotImplementedError.", None),
    (lambda i, o, c, m: masked_mean(o[c], m) @ i.T, "✗ one example, V=4, d=2: at index [0, 0]: expected -0.2577, got 1.",
     "looked up in the input table"),
    (lambda i, o, c, m: (i[c] * m[..., None]).sum(1) @ o.T,
     "✗ one example, V=4, d=2: at index [0, 0]: expected -0.2577, got -0.5154.", "not their sum"),
    (lambda i, o, c, m: i[c].mean(1) @ o.T, "✗ 6 examples, V=20, d=5: at index [0, 0]: expected -1.238, got -1.149.",
     "use the mask"),
    (lambda i, o, c, m: o @ masked_mean(i[c], m).T,
     "✗ one example, V=4, d=2: expected shape (1, 4), got (4, 1) (it looks transposed).", None),
])
def test_cbow_scores_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_cbow_scores, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert f"Hint: {hint}" in out or hint in out


def test_cbow_scores_names_an_earlier_stub_it_calls(capsys):
    """Exercise 3.3 may call masked_mean from 3.2: a stub there is named."""
    namespace = {"torch": torch}
    exec("def masked_mean(context_vectors, mask):\n    raise NotImplementedError\n\n"
         "def cbow_scores(input_table, output_table, contexts, mask):\n"
         "    return masked_mean(input_table[contexts], mask) @ output_table.T\n", namespace)
    verdict, out = run(check_cbow_scores, namespace["cbow_scores"], capsys)
    assert verdict is False
    assert "not attempted" not in out
    assert ("✗ one example, V=4, d=2: your function calls masked_mean, which still raises "
            "NotImplementedError") in out
