"""The exercise checks of chapter 8 accept the chapter's solutions and other correct
formulations, and reject typical wrong answers, each with a message that names what
is wrong."""

import math

import numpy as np
import pytest
import torch

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_cooccurrence_matrix, check_sgns_optimum, check_shifted_ppmi
from w2v_lib.checks.pmi import _reference_counts, _reference_ppmi
from w2v_lib.cooccurrence import cooccurrence_counts
from w2v_lib.pmi import ppmi

import scipy.sparse as sp

CHAPTER_8 = "08_what_skipgram_learns.ipynb"


def test_the_chapter_has_its_solutions():
    assert len(solution_sources(CHAPTER_8)) == 3


@pytest.mark.parametrize("name, check", [
    ("sgns_optimum", check_sgns_optimum),
    ("cooccurrence_matrix", check_cooccurrence_matrix),
    ("shifted_ppmi", check_shifted_ppmi),
])
def test_the_chapter_solutions_pass(name, check, capsys):
    verdict, out = run(check, solutions(CHAPTER_8)[name], capsys)
    assert verdict and "cases pass" in out


# --- exercise 8.1: sgns_optimum ---------------------------------------------------


def optimum_as_logit(pair, center, noise, k):
    # sigma(x*) = #(c,o) / (#(c,o) + k #(c) P_n(o)): the optimal probability, as a logit
    return torch.logit(pair / (pair + k * center * noise))


def optimum_in_log_space(pair, center, noise, k):
    return pair.log() - center.log() - noise.log() - math.log(k)


def optimum_by_newton(pair, center, noise, k):
    # the learner's own numerical answer: Newton's method on l'(x) = 0
    x = torch.zeros_like(pair)
    for _ in range(200):
        s = torch.sigmoid(x)
        slope = -pair * (1 - s) + k * center * noise * s
        curve = (pair + k * center * noise) * s * (1 - s)
        x = x - (slope / curve).clamp(-1, 1)
    return x


@pytest.mark.parametrize("correct", [optimum_as_logit, optimum_in_log_space,
                                     optimum_by_newton])
def test_sgns_optimum_accepts_other_correct_formulations(correct, capsys):
    verdict, out = run(check_sgns_optimum, correct, capsys)
    assert verdict, out


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda p, c, q, k: torch.log(p / (c * q)), "expected 0.6931, got 2.303",
     "shifted down by log k"),
    (lambda p, c, q, k: torch.log(k * p / (c * q)), "expected 0.6931, got 3.912",
     "subtract log k"),
    (lambda p, c, q, k: torch.log(p / (k * q)), "expected 0.6931, got 5.298",
     "k #(w) P_n(c)"),
    (lambda p, c, q, k: -torch.log(p / (k * c * q)), "expected 0.6931, got -0.6931",
     "check the sign"),
    (lambda p, c, q, k: p / (p + k * c * q), "expected 0.6931, got 0.6667",
     "return x itself"),
    (lambda p, c, q, k: torch.log(p / (k * c * q)).float(),
     "expected dtype torch.float64, got torch.float32", None),
    (lambda p, c, q, k: torch.log(p / (k * c * q)).sum(), "expected shape (1,), got ()",
     None),
])
def test_sgns_optimum_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_sgns_optimum, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


def test_sgns_optimum_refuses_a_function_that_edits_its_inputs(capsys):
    def in_place(pair, center, noise, k):
        return pair.div_(k * center * noise).log_()

    verdict, out = run(check_sgns_optimum, in_place, capsys)
    assert verdict is False and "changed its argument `pair` in place" in out


def test_the_numerical_reference_agrees_with_the_formula():
    from w2v_lib.checks.pmi import _numerical_optimum
    g = torch.Generator().manual_seed(0)
    pair = torch.rand(100, generator=g, dtype=torch.float64) * 1e4 + 1
    center = pair * 10
    noise = torch.rand(100, generator=g, dtype=torch.float64) * 1e-2 + 1e-6
    assert torch.allclose(_numerical_optimum(pair, center, noise, 5),
                          optimum_in_log_space(pair, center, noise, 5), atol=1e-10)


# --- exercise 8.2: cooccurrence_matrix --------------------------------------------


def counts_by_loops(ids, sentence, vocab_size, window):
    # position by position, as one would on paper
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
    ids, sentence = ids.tolist(), sentence.tolist()
    for i in range(len(ids)):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i and sentence[i] == sentence[j]:
                counts[ids[i], ids[j]] += (window - abs(i - j) + 1) / window
    return counts


def counts_by_bincount(ids, sentence, vocab_size, window):
    # one key per pair, w * V + c, summed with bincount
    keys, weights = [], []
    for k in range(1, window + 1):
        same = sentence[:-k] == sentence[k:]
        left, right = ids[:-k][same], ids[k:][same]
        w = torch.full((2 * len(left),), (window - k + 1) / window, dtype=torch.float64)
        keys.append(torch.cat([left * vocab_size + right, right * vocab_size + left]))
        weights.append(w)
    flat = torch.bincount(torch.cat(keys), torch.cat(weights), minlength=vocab_size ** 2)
    return flat.view(vocab_size, vocab_size)


@pytest.mark.parametrize("correct", [counts_by_loops, counts_by_bincount])
def test_cooccurrence_matrix_accepts_other_correct_formulations(correct, capsys):
    verdict, out = run(check_cooccurrence_matrix, correct, capsys)
    assert verdict, out


def one_way(ids, sentence, vocab_size, window):
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
    for k in range(1, window + 1):
        same = sentence[:-k] == sentence[k:]
        w = torch.full((int(same.sum()),), (window - k + 1) / window, dtype=torch.float64)
        counts.index_put_((ids[:-k][same], ids[k:][same]), w, accumulate=True)
    return counts


def across_sentences(ids, sentence, vocab_size, window):
    return counts_by_loops(ids, torch.zeros_like(sentence), vocab_size, window)


def unweighted(ids, sentence, vocab_size, window):
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
    for i in range(len(ids)):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i and sentence[i] == sentence[j]:
                counts[ids[i], ids[j]] += 1.0
    return counts


def not_accumulated(ids, sentence, vocab_size, window):
    # counts[left, right] += w keeps one of the repeated pairs only
    counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
    for k in range(1, window + 1):
        same = sentence[:-k] == sentence[k:]
        left, right = ids[:-k][same], ids[k:][same]
        counts[left, right] += (window - k + 1) / window
        counts[right, left] += (window - k + 1) / window
    return counts


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (one_way, "'a b a c', one sentence, window 2: at index [0, 0]: expected 1, got 0.5",
     "from both ends"),
    (unweighted, "at index [0, 0]: expected 1, got 2", "(m - k + 1) / m"),
    (across_sentences, "two sentences, window 2: at index [1, 2]: expected 1.5, got 2",
     "stops at the end of its sentence"),
    (not_accumulated, "50 words in 40 sentences, window 5: at index [0, 0]: expected "
     "512.4, got 6", None),
    (lambda i, s, v, m: counts_by_loops(i, s, v, m).float(),
     "expected dtype torch.float64, got torch.float32", None),
    (lambda i, s, v, m: counts_by_loops(i, s, v, m).to_sparse(),
     "expected a dense tensor, got a torch.sparse_coo one", None),
])
def test_cooccurrence_matrix_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_cooccurrence_matrix, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


@pytest.mark.parametrize("weight, hint", [
    (lambda k, m: (m - k) / m, "1 for a neighbour, 1/m at distance m"),
])
def test_cooccurrence_matrix_names_an_off_by_one_weight(weight, hint, capsys):
    def off_by_one(ids, sentence, vocab_size, window):
        counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
        for i in range(len(ids)):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i and sentence[i] == sentence[j]:
                    counts[ids[i], ids[j]] += weight(abs(i - j), window)
        return counts

    verdict, out = run(check_cooccurrence_matrix, off_by_one, capsys)
    assert verdict is False and hint in out


def test_cooccurrence_matrix_names_the_center_counted_as_its_own_context(capsys):
    def with_center(ids, sentence, vocab_size, window):
        counts = counts_by_loops(ids, sentence, vocab_size, window)
        counts.index_put_((ids, ids), torch.full((len(ids),), (window + 1) / window,
                                                 dtype=torch.float64), accumulate=True)
        return counts

    verdict, out = run(check_cooccurrence_matrix, with_center, capsys)
    assert verdict is False and "start at k = 1" in out


def test_cooccurrence_matrix_refuses_a_function_that_edits_its_inputs(capsys):
    def sorts_ids(ids, sentence, vocab_size, window):
        counts = counts_by_loops(ids, sentence, vocab_size, window)
        ids.zero_()
        return counts

    verdict, out = run(check_cooccurrence_matrix, sorts_ids, capsys)
    assert verdict is False and "changed its argument `ids` in place" in out


def test_the_counting_reference_is_the_library_and_the_brute_force_count():
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(0, 12, (300,), generator=g)
    sentence = torch.sort(torch.randint(0, 9, (300,), generator=g)).values
    assert torch.allclose(_reference_counts(ids, sentence, 12, 3),
                          counts_by_loops(ids, sentence, 12, 3))


# --- exercise 8.3: shifted_ppmi ---------------------------------------------------


def ppmi_from_probabilities(counts, k, alpha):
    # P(w, c) / (P(w) P_alpha(c)), every factor a probability first
    total = counts.sum()
    joint = counts / total
    word = counts.sum(1) / total
    context = counts.sum(0) ** alpha
    context = context / context.sum()
    with torch.no_grad():
        ratio = joint / (word[:, None] * context[None, :])
    ratio = torch.nan_to_num(ratio, nan=0.0)
    value = torch.log(ratio / k)
    return torch.where(ratio > 0, value, torch.zeros_like(value)).clamp(min=0)


def ppmi_by_loops(counts, k, alpha):
    out = torch.zeros_like(counts)
    word, context = counts.sum(1).tolist(), (counts.sum(0) ** alpha).tolist()
    norm = sum(context)
    for w, c in counts.nonzero().tolist():
        value = math.log(counts[w, c].item() * norm / (word[w] * context[c])) - math.log(k)
        out[w, c] = max(0.0, value)
    return out


def ppmi_with_the_library(counts, k, alpha):
    # the sparse library function, recomputed in float64 from its definition: only
    # its pattern of positive entries is used
    positive = ppmi(sp.csr_matrix(counts.numpy()), context_power=alpha, shift=k).toarray() > 0
    return _reference_ppmi(counts, k, alpha) * torch.from_numpy(positive)


@pytest.mark.parametrize("correct", [ppmi_from_probabilities, ppmi_by_loops])
def test_shifted_ppmi_accepts_other_correct_formulations(correct, capsys):
    verdict, out = run(check_shifted_ppmi, correct, capsys)
    assert verdict, out


def test_the_ppmi_reference_agrees_with_the_library():
    g = torch.Generator().manual_seed(9)
    counts = torch.poisson(torch.rand(40, 40, generator=g) * 3, generator=g).double()
    library = ppmi(sp.csr_matrix(counts.numpy()), context_power=0.75, shift=2.0)
    # the library stores float32: agreement to float32's precision
    assert np.allclose(library.toarray(), _reference_ppmi(counts, 2, 0.75).numpy(),
                       rtol=1e-6, atol=1e-6)
    verdict = check_shifted_ppmi(ppmi_with_the_library)
    assert verdict


def swapped_sums(counts, k, alpha):
    # #(w) from the column sums, #(c) from the row sums
    word, context = counts.sum(0), counts.sum(1) ** alpha
    value = torch.log(counts * context.sum() / (word[:, None] * context[None, :]))
    return torch.where(counts > 0, value - math.log(k), 0.0).clamp(min=0)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda c, k, a: ppmi_by_loops(c, k, 1.0), "alpha 0.75, k 2: at index [0, 1]",
     "power alpha, not the raw counts"),
    (lambda c, k, a: ppmi_by_loops(c, 1, a), "alpha 0.75, k 2: at index [0, 1]",
     "subtract log k (the shift)"),
    (lambda c, k, a: ppmi_by_loops(c, 1 / k, a), "alpha 0.75, k 2: at index [0, 1]",
     "do not add it"),
    (lambda c, k, a: ppmi_by_loops(c, 1 / k, a) if k == 1 else
     (torch.log(c / (c.sum(1, keepdim=True) * (c.sum(0) ** a / (c.sum(0) ** a).sum())))
      - math.log(k)).nan_to_num(0.0).where(c > 0, 0.0),
     "expected 0, got", "values below 0 become 0"),
    (swapped_sums, "not symmetric, one word never counted", "sum of row w"),
    (lambda c, k, a: ppmi_by_loops(c, k, a).float(),
     "expected dtype torch.float64, got torch.float32", None),
    (lambda c, k, a: torch.where(c > 0, torch.log(c / (c.sum(1, keepdim=True)
                                 * (c.sum(0) ** a / (c.sum(0) ** a).sum())))
                                 - torch.log(torch.tensor(k)), 0.0).clamp(min=0),
     "agree to about 7 digits only", None),
    (lambda c, k, a: (torch.log(c / (c.sum(1, keepdim=True) * (c.sum(0) ** a
                                                               / (c.sum(0) ** a).sum())))
                      - math.log(k)).clamp(min=0),
     "one word never counted: at index [2, 0]: expected 0, got nan", None),
])
def test_shifted_ppmi_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_shifted_ppmi, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


def test_shifted_ppmi_prints_values_that_show_the_difference(capsys):
    def float32_shift(c, k, a):
        word = c.sum(1, keepdim=True)
        context = c.sum(0) ** a
        value = torch.log(c / (word * context / context.sum())) - torch.log(torch.tensor(k))
        return torch.where(c > 0, value, 0.0).clamp(min=0)

    _, out = run(check_shifted_ppmi, float32_shift, capsys)
    # 4 significant digits would print 0.2244 twice
    assert "expected 0.224396562, got 0.22439656 (off by" in out


def test_shifted_ppmi_refuses_a_function_that_edits_its_inputs(capsys):
    def in_place(counts, k, alpha):
        result = ppmi_by_loops(counts, k, alpha)
        counts[counts == 0] = 1e-300  # "avoid log 0", on the caller's tensor
        return result

    verdict, out = run(check_shifted_ppmi, in_place, capsys)
    assert verdict is False and "changed its argument `counts` in place" in out


def test_the_library_counts_and_the_check_agree_on_a_corpus():
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 20, (500,), generator=g)
    sentence = torch.sort(torch.randint(0, 10, (500,), generator=g)).values
    library = torch.from_numpy(cooccurrence_counts(ids, sentence, 20, 4).toarray())
    assert torch.allclose(library, counts_by_loops(ids, sentence, 20, 4))
