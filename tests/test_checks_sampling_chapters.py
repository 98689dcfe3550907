"""The exercise checks of chapter 4 accept the chapter's solutions and reject typical
wrong answers, each with a message that names what is wrong (chapter 5's are in
test_checks_subsampling_chapter.py)."""

import pytest
import torch
import torch.nn.functional as F

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_negative_sampling_loss, check_sgns_grads, check_unigram_table

CHAPTER_4 = "04_negative_sampling.ipynb"


@pytest.mark.parametrize("chapter, count", [(CHAPTER_4, 5)])
def test_each_chapter_has_its_solutions(chapter, count):
    assert len(solution_sources(chapter)) == count


@pytest.mark.parametrize("chapter, name, check", [
    (CHAPTER_4, "unigram_table", check_unigram_table),
    (CHAPTER_4, "sgns_grads", check_sgns_grads),
    (CHAPTER_4, "negative_sampling_loss", check_negative_sampling_loss),
])
def test_the_chapter_solutions_pass(chapter, name, check, capsys):
    verdict, out = run(check, solutions(chapter)[name], capsys)
    assert verdict and "All " in out and " cases pass. Well done!" in out


# --- chapter 4 ---------------------------------------------------------------------


def table(probs, size, shift=0):
    slots = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    return (torch.searchsorted(torch.cumsum(probs, 0), slots).clamp(max=len(probs) - 1) + shift) % len(probs)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: unigram_table still raises NotImplementedError.", None),
    (lambda p, n: torch.arange(n) % len(p),
     "✗ two words, 8 slots: word 0 fills 4 slots; with probability 0.75 it should fill 6.00 of 8, give or take 1.",
     "same number of slots"),
    (lambda p, n: table(p, n, shift=1),
     "✗ two words, 8 slots: word 0 fills 2 slots; with probability 0.75 it should fill 6.00 of 8, give or take 1.",
     "off-by-one"),
    (lambda p, n: table(p, n - 1), "✗ two words, 8 slots: expected shape (8,), got (7,).", None),
    (lambda p, n: table(p, n).float(), "✗ two words, 8 slots: expected dtype torch.int64 (word indices), got torch.float32.",
     None),
    # random draws, not a table
    (lambda p, n: torch.multinomial(p, n, replacement=True, generator=torch.Generator().manual_seed(0)),
     "✓ three words, 10 slots ✗ 100 random counts, 1,000,000 slots: word 36 fills 13846 slots; with probability "
     "0.01416 it should fill 14157.65 of 1,000,000, give or take 2.96.", None),
    (lambda p, n: table(p, n).tolist(), "✗ two words, 8 slots: expected a torch.Tensor, got list.", None),
    # a rare word left without a slot (searchsorted past the last edge, then wrapped)
    (lambda p, n: table(p, n) % (len(p) - 1) if len(p) > 3 else table(p, n),
     "✗ 100 random counts, 1,000,000 slots: word 0 fills 14714 slots; with probability 0.0103 it should fill "
     "10295.10 of 1,000,000, give or take 1.24.", None),
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
    (stub, "… not attempted yet: sgns_grads still raises NotImplementedError."),
    (lambda v, p, n: tuple(g * v.shape[0] for g in solutions(CHAPTER_4)["sgns_grads"](v, p, n)),
     "✗ 3 pairs, K=5, d=4: grad_center: at index [0, 0]: expected -0.2133, got -0.6399."),
    (lambda v, p, n: (lambda gp, gn: ((gp[:, None] * p + (gn[..., None] * n).sum(1)) / len(v), gp[:, None] * v / len(v),
                                       (gn[..., None] * v[:, None, :]).sum(1) / len(v)))(*sgns_parts(v, p, n)),
     "✗ one pair, K=1, d=2: grad_negative: expected shape (1, 1, 2), got (1, 2)."),
    (lambda v, p, n: (lambda gp, gn: ((gp[:, None] * p - (gn[..., None] * n).sum(1)) / len(v), gp[:, None] * v / len(v),
                                       -gn[..., None] * v[:, None, :] / len(v)))(*sgns_parts(v, p, n)),
     "✗ one pair, K=1, d=2: grad_center: at index [0, 0]: expected -2.027, got -2.308."),
    (lambda v, p, n: solutions(CHAPTER_4)["sgns_grads"](v, p, n)[:2],
     "✗ one pair, K=1, d=2: expected a tuple of 3 tensors (grad_center, grad_positive, grad_negative), got tuple of length 2."),
])
def test_sgns_grads_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_sgns_grads, wrong, capsys)
    assert verdict is False and message in out


def ns_loss(h, p, n, neg_sign=-1.0, reduce="mean", with_negatives=True):
    pos = F.logsigmoid((h * p).sum(-1))
    neg = F.logsigmoid(neg_sign * torch.bmm(n, h[:, :, None]).squeeze(-1)).sum(-1)
    total = -(pos + (neg if with_negatives else 0))
    return total.mean() if reduce == "mean" else total.sum()


def log_of_sigmoid_loss(h, p, n):  # what the exercise warns against
    pos = torch.log(torch.sigmoid((h * p).sum(-1)))
    neg = torch.log(torch.sigmoid(-torch.bmm(n, h[:, :, None]).squeeze(-1))).sum(-1)
    return -(pos + neg).mean()


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "… not attempted yet: negative_sampling_loss still raises NotImplementedError.", None),
    (lambda h, p, n: ns_loss(h, p, n, neg_sign=1.0), "✗ one example, K=1, d=2: expected 3.726, got 1.145.", "log sigmoid(-s)"),
    (lambda h, p, n: ns_loss(h, p, n, reduce="sum"), "✗ 4 examples, K=3, d=5: expected 4.86, got 19.44.",
     "the mean over the batch"),
    (lambda h, p, n: ns_loss(h, p, n, with_negatives=False), "✗ one example, K=1, d=2: expected 3.726, got 1.072.", None),
    # the log-likelihood, not the loss
    (lambda h, p, n: -ns_loss(h, p, n), "✗ one example, K=1, d=2: expected 3.726, got -3.726.", None),
    (lambda h, p, n: torch.stack([ns_loss(h[i:i + 1], p[i:i + 1], n[i:i + 1]) for i in range(len(h))]),
     "✗ one example, K=1, d=2: expected shape (), got (1,).", None),
    # right for moderate scores; inf once sigmoid underflows
    (log_of_sigmoid_loss, "✓ 2,048 examples, K=5, d=100 ✗ 8 examples, K=3, d=10, scores in the hundreds: expected "
     "362.6, got inf.", "log(sigmoid(s)) fails for large scores"),
])
def test_negative_sampling_loss_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_negative_sampling_loss, wrong, capsys)
    assert verdict is False and message in out
    if hint:
        assert hint in out
