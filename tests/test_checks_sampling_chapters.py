"""The exercise checks of chapters 4 and 5 accept the chapters' solutions and reject
typical wrong answers, each with a message that names what is wrong."""

import pytest
import torch
import torch.nn.functional as F

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import (check_effective_words, check_keep_probability, check_negative_sampling_loss,
                            check_noise_probs, check_sgns_grads, check_unigram_table)

CHAPTER_4 = "04_negative_sampling.ipynb"
CHAPTER_5 = "05_subsampling_recipe.ipynb"


@pytest.mark.parametrize("chapter, count", [(CHAPTER_4, 3), (CHAPTER_5, 3)])
def test_each_chapter_has_its_solutions(chapter, count):
    assert len(solution_sources(chapter)) == count


@pytest.mark.parametrize("chapter, name, check", [
    (CHAPTER_4, "noise_probs", check_noise_probs),
    (CHAPTER_4, "unigram_table", check_unigram_table),
    (CHAPTER_4, "sgns_grads", check_sgns_grads),
    (CHAPTER_5, "keep_probability", check_keep_probability),
    (CHAPTER_5, "negative_sampling_loss", check_negative_sampling_loss),
    (CHAPTER_5, "effective_words", check_effective_words),
])
def test_the_chapter_solutions_pass(chapter, name, check, capsys):
    verdict, out = run(check, solutions(chapter)[name], capsys)
    assert verdict and "cases pass" in out


# --- chapter 4 ---------------------------------------------------------------------


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda c, p: c.double() / c.sum(), "two words, power 0.75: at index [0]: expected 0.6951, got 0.75", "before normalising"),
    (lambda c, p: (c.double() / c.sum()) ** p, "at index [0]", "normalise after the power"),
    (lambda c, p: (c.float() ** p) / (c.float() ** p).sum(), "expected dtype torch.float64, got torch.float32", "float64"),
    (lambda c, p: (c.double() ** p / (c.double() ** p).sum())[None], "expected shape (2,), got (1, 2)", None),
    (lambda c, p: c.double() ** p, "at index [0]", None),  # not normalised
])
def test_noise_probs_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_noise_probs, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def table(probs, size, shift=0):
    slots = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    return (torch.searchsorted(torch.cumsum(probs, 0), slots).clamp(max=len(probs) - 1) + shift) % len(probs)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda p, n: torch.arange(n) % len(p), "word 0 fills 4 slots; with probability 0.75 it should fill about 6.0", "same number of slots"),
    (lambda p, n: table(p, n, shift=1), "word 0 fills 2 slots", "off-by-one"),
    (lambda p, n: table(p, n - 1), "expected shape (8,), got (7,)", None),
    (lambda p, n: table(p, n).float(), "expected dtype torch.int64", None),
    (lambda p, n: torch.multinomial(p, n, replacement=True), "slots", None),  # random, not a table
    (lambda p, n: table(p, n).tolist(), "expected a torch.Tensor, got list", None),
])
def test_unigram_table_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_unigram_table, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def sgns_parts(v, p, n):
    g_pos = torch.sigmoid((v * p).sum(-1)) - 1
    g_neg = torch.sigmoid(torch.bmm(n, v[:, :, None]).squeeze(-1))
    return g_pos, g_neg


@pytest.mark.parametrize("wrong, message", [
    (stub, "not attempted yet"),
    (lambda v, p, n: tuple(g * v.shape[0] for g in solutions(CHAPTER_4)["sgns_grads"](v, p, n)), "3 pairs, K=5, d=4: grad_center: at index"),
    (lambda v, p, n: (lambda gp, gn: ((gp[:, None] * p + (gn[..., None] * n).sum(1)) / len(v), gp[:, None] * v / len(v),
                                       (gn[..., None] * v[:, None, :]).sum(1) / len(v)))(*sgns_parts(v, p, n)),
     "grad_negative: expected shape (1, 1, 2), got (1, 2)"),
    (lambda v, p, n: (lambda gp, gn: ((gp[:, None] * p - (gn[..., None] * n).sum(1)) / len(v), gp[:, None] * v / len(v),
                                       -gn[..., None] * v[:, None, :] / len(v)))(*sgns_parts(v, p, n)),
     "grad_center: at index"),
    (lambda v, p, n: solutions(CHAPTER_4)["sgns_grads"](v, p, n)[:2], "expected a tuple of 3 tensors"),
])
def test_sgns_grads_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_sgns_grads, wrong, capsys)
    assert verdict is False and message in out


# --- chapter 5 ---------------------------------------------------------------------


def share(c):
    return c.double() / c.sum()


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda c, t: (t / share(c)).sqrt().clamp(max=1), "two words, t=0.1: at index [0]: expected 0.4985, got 0.3651", "paper's formula"),
    (lambda c, t: (t / share(c)).sqrt() + t / share(c), "at index [1]", "cap the probability at 1"),
    (lambda c, t: ((t / c.double()).sqrt() + t / c.double()).clamp(max=1), "at index [0]", "share of the corpus"),
    (lambda c, t: 1 - ((t / share(c)).sqrt() + t / share(c)).clamp(max=1), "at index [0]", None),  # discard, not keep
    (lambda c, t: ((t / share(c)).sqrt() + t / share(c)).clamp(max=1).float(), "expected dtype torch.float64", None),
])
def test_keep_probability_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_keep_probability, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


def ns_loss(h, p, n, neg_sign=-1.0, reduce="mean", with_negatives=True):
    pos = F.logsigmoid((h * p).sum(-1))
    neg = F.logsigmoid(neg_sign * torch.bmm(n, h[:, :, None]).squeeze(-1)).sum(-1)
    total = -(pos + (neg if with_negatives else 0))
    return total.mean() if reduce == "mean" else total.sum()


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda h, p, n: ns_loss(h, p, n, neg_sign=1.0), "one example, K=1, d=2: expected", "log sigmoid(-s)"),
    (lambda h, p, n: ns_loss(h, p, n, reduce="sum"), "4 examples, K=3, d=5: expected", "the mean over the batch"),
    (lambda h, p, n: ns_loss(h, p, n, with_negatives=False), "one example, K=1, d=2: expected", None),
    (lambda h, p, n: -ns_loss(h, p, n), "expected", None),  # the log-likelihood, not the loss
    (lambda h, p, n: torch.stack([ns_loss(h[i:i + 1], p[i:i + 1], n[i:i + 1]) for i in range(len(h))]), "expected shape ()", None),
])
def test_negative_sampling_loss_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_negative_sampling_loss, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda c, k: k.sum(), "two words: expected 0.6264, got 0.3688", "weight each word's keep-probability"),
    (lambda c, k: c.double().sum(), "two words: expected 0.6264, got 4", "multiply each count"),
    (lambda c, k: (c * (1 - k)).sum(), "two words: expected 0.6264, got 3.374", "counts the dropped tokens"),
    (lambda c, k: (c * k).sum().item(), "expected a torch.Tensor, got float", None),
    (lambda c, k: c * k, "expected shape (), got (2,)", None),
])
def test_effective_words_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_effective_words, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out
