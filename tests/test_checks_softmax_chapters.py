"""The exercise checks of chapters 2 and 3 accept the chapters' solutions and reject
typical wrong answers, each with a message that names what is wrong."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.windows import skipgram_pairs
from w2v_lib.checks import (check_cbow_grads, check_expected_pairs, check_masked_mean,
                            check_sentence_pairs, check_skipgram_grads, check_softmax_grad)

CHAPTER_2 = "02_skipgram_softmax.ipynb"
CHAPTER_3 = "03_cbow_softmax.ipynb"


@pytest.mark.parametrize("chapter, count", [(CHAPTER_2, 4), (CHAPTER_3, 2)])
def test_each_chapter_has_its_solutions(chapter, count):
    assert len(solution_sources(chapter)) == count


@pytest.mark.parametrize("chapter, name, check", [
    (CHAPTER_2, "sentence_pairs", check_sentence_pairs),
    (CHAPTER_2, "softmax_grad", check_softmax_grad),
    (CHAPTER_2, "skipgram_grads", check_skipgram_grads),
    (CHAPTER_2, "expected_pairs", check_expected_pairs),
    (CHAPTER_3, "masked_mean", check_masked_mean),
    (CHAPTER_3, "cbow_grads", check_cbow_grads),
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




def cbow_grads_with(share=None, hidden=None, sign=1.0, batch=True):
    """The gradients of the CBOW loss by the formulas, in float32, with one thing
    changed: the share of dL/dh each slot gets, h itself, the sign, or the 1/B."""
    def grads(x, m, U, c):
        h = masked_mean(x, m) if hidden is None else hidden(x, m)
        d = sign * (torch.softmax(h @ U.T, 1) - F.one_hot(c, len(U))) / (len(c) if batch else 1)
        part = m.float() / m.sum(1, keepdim=True) if share is None else share(x, m)
        return (d @ U)[:, None, :] * part[..., None], d.T @ h
    return grads


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: cbow_grads still raises NotImplementedError.", None),
    (cbow_grads_with(share=lambda x, m: m.float()),
     "✗ one example, two real words, V=3, d=2: grad_slots: at index [0, 0, 0]: expected 0.5853, got 1.171.",
     "Giving each the whole of dL/dh is word2vec.c's update"),
    (cbow_grads_with(share=lambda x, m: m.float() / m.shape[1]),
     "✗ one example, window 2, one slot padded, V=4, d=2: grad_slots: at index [0, 0, 0]: expected 0.03395, "
     "got 0.02547.", "not by the 2m slots"),
    # the padded slot gets a share: the report points at it (index 3 is the padded one)
    (cbow_grads_with(share=lambda x, m: torch.ones_like(x[..., 0]) / m.sum(1, keepdim=True)),
     "✗ one example, window 2, one slot padded, V=4, d=2: grad_slots: at index [0, 3, 0]: expected 0, "
     "got 0.03395.", None),
    (cbow_grads_with(sign=-1.0),
     "✗ one example, two real words, V=3, d=2: grad_slots: at index [0, 0, 0]: expected 0.5853, got -0.5853.",
     "the sign is flipped"),
    (cbow_grads_with(batch=False),
     "✗ 5 examples, window 2, V=10, d=3: grad_slots: at index [0, 0, 0]: expected -0.0714, got -0.357.",
     "divide by the batch size B"),
    (cbow_grads_with(hidden=lambda x, m: (x * m[..., None]).sum(1)),
     "✗ one example, two real words, V=3, d=2: grad_slots: at index [0, 0, 0]: expected 0.5853, got 0.2769.",
     "not their sum"),
    # the padded slots (which hold large numbers) counted in h
    (cbow_grads_with(hidden=lambda x, m: x.mean(1)),
     "✗ one example, window 2, one slot padded, V=4, d=2: grad_slots: at index [0, 0, 0]: expected 0.03395, "
     "got 0.5836.", None),
    (lambda x, m, U, c: (cbow_grads_with()(x, m, U, c)[0], cbow_grads_with()(x, m, U, c)[1].T),
     "✗ one example, two real words, V=3, d=2: grad_output: expected shape (3, 2), got (2, 3) "
     "(it looks transposed).", None),
    (lambda x, m, U, c: cbow_grads_with()(x, m, U, c)[0],
     "✗ one example, two real words, V=3, d=2: expected a tuple of 2 tensors (grad_slots, grad_output), "
     "got Tensor.", None),
])
def test_cbow_grads_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_cbow_grads, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def test_cbow_grads_names_an_earlier_stub_it_calls(capsys):
    """Exercise 3.2 may call masked_mean from 3.1: a stub there is named."""
    namespace = {"torch": torch, "F": F}
    exec("def masked_mean(context_vectors, mask):\n    raise NotImplementedError\n\n"
         "def cbow_grads(context_vectors, mask, output_vectors, centers):\n"
         "    hidden = masked_mean(context_vectors, mask)\n"
         "    return hidden, hidden\n", namespace)
    verdict, out = run(check_cbow_grads, namespace["cbow_grads"], capsys)
    assert verdict is False
    assert "not attempted" not in out
    assert ("your function calls masked_mean, which still raises NotImplementedError") in out


def expected_pairs_with(keep, sides=2, edges=True, clip=True):
    def count(n, m):
        if not edges:
            return n * sides * sum(keep(k, m) for k in range(1, m + 1))
        top = min(m, n - 1) if clip else m
        return sum(sides * (n - k) * keep(k, m) for k in range(1, top + 1))
    return count


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: expected_pairs still raises NotImplementedError.", None),
    (expected_pairs_with(lambda k, m: 1), "✗ the fox sentence: 9 words, window 2: expected 23, got 30.",
     "that counts the full window"),
    (expected_pairs_with(lambda k, m: (m - k) / m), "✗ two words, window 1: expected 2, got 0.", "not m - k"),
    (expected_pairs_with(lambda k, m: k / m), "✗ two words, window 3: expected 2, got 0.6667.",
     "the likeliest to be kept"),
    (expected_pairs_with(lambda k, m: (m - k + 1) / m, sides=1), "✗ two words, window 1: expected 2, got 1.",
     "each couple of positions k apart gives two pairs"),
    (expected_pairs_with(lambda k, m: (m - k + 1) / m, edges=False), "✗ one word, window 5: expected 0, got 6.",
     "near the ends of the sentence a window holds fewer words"),
    (expected_pairs_with(lambda k, m: (m - k + 1) / m, clip=False), "✗ one word, window 5: expected 0, got -8.",
     "stop the sum at k = min(m, n - 1)"),
    # the count of one simulated draw is not the expectation
    (lambda n, m: len(skipgram_pairs(torch.arange(n), m, reduced=True,
                                     generator=torch.Generator().manual_seed(0))[0]),
     "expected 23, got", None),
    (lambda n, m: [float(n)], "✗ one word, window 5: expected a number, got list: [1.0].", None),
    (lambda n, m: "0", "✗ one word, window 5: expected a number, got str", None),
])
def test_expected_pairs_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_expected_pairs, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in " ".join(out.split())


def test_expected_pairs_accepts_a_tensor_holding_the_number(capsys):
    right = solutions(CHAPTER_2)["expected_pairs"]
    verdict, _ = run(check_expected_pairs, lambda n, m: torch.tensor(right(n, m)), capsys)
    assert verdict is True
