"""The exercise checks of chapter 9 accept the chapter's solutions and other correct
formulations, and reject typical wrong answers, each with a message that names what is
wrong."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gensim.models import KeyedVectors

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_read_glove, check_mean_pool, check_weat_effect_size
from w2v_lib.vectors import WordVectors, load_glove
from w2v_lib.weat import weat_effect_size as weat_effect_size_reference

CHAPTER_9 = "09_using_vectors.ipynb"


def test_the_chapter_has_its_solutions():
    assert len(solution_sources(CHAPTER_9)) == 3


@pytest.mark.parametrize("name, check", [
    ("read_glove", check_read_glove),
    ("mean_pool", check_mean_pool),
    ("weat_effect_size", check_weat_effect_size),
])
def test_the_chapter_solutions_pass(name, check, capsys):
    verdict, out = run(check, solutions(CHAPTER_9)[name], capsys)
    assert verdict and "cases pass" in out


# --- 9.1: reading a GloVe file ----------------------------------------------------------

def gensim_glove(path, limit):
    """Another correct answer: gensim with no_header."""
    return WordVectors.from_keyed_vectors(
        KeyedVectors.load_word2vec_format(path, no_header=True, limit=limit))


def numpy_glove(path, limit):
    """Another correct answer: numpy parses each line, words read as bytes first."""
    words, rows = [], []
    with open(path, "rb") as file:
        for line in file:
            if limit is not None and len(words) >= limit:
                break
            parts = line.split()
            words.append(parts[0].decode("utf-8"))
            rows.append(np.array(parts[1:], dtype=np.float64))
    return WordVectors(words, np.stack(rows))


def latin1(path, limit):
    vectors = load_glove(path, limit)
    return WordVectors([w.encode("utf-8").decode("latin-1") for w in vectors.words], vectors.vectors)


def skips_header(path, limit):
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()[1:]
    lines = lines if limit is None else lines[:limit]
    parts = [line.split(" ") for line in lines]
    return WordVectors([p[0] for p in parts], torch.tensor([[float(x) for x in p[1:]] for p in parts]))


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    # gensim without no_header: the first line is no header
    (lambda path, limit: WordVectors.from_keyed_vectors(KeyedVectors.load_word2vec_format(path, limit=limit)),
     "invalid literal for int() with base 10: 'the'", "pass no_header=True"),
    (skips_header, "3 words, d=2, no limit: expected 3 words, got 2 (first words: ['cat', 'sat'])",
     "a GloVe file has no header"),
    (lambda path, limit: load_glove(path), "limit=10: expected 10 words, got 76", "keep only the first `limit`"),
    (lambda path, limit: load_glove(path, None if limit is None else limit - 1),
     "limit=10: expected 10 words, got 9", "one more than you kept"),
    (lambda path, limit: load_glove(path, limit).to_keyed_vectors(), "expected a WordVectors, got KeyedVectors",
     None),
    # the vectors transposed or scaled: the values are wrong
    (lambda path, limit: WordVectors(load_glove(path, limit).words, 2 * load_glove(path, limit).vectors),
     "at index [0, 0]: expected 0.5, got 1", None),
    # reading with the wrong encoding garbles the words with accents
    (lambda path, limit: latin1(path, limit), "word 1: expected 'ö', got", None),
])
def test_read_glove_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_read_glove, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


# --- 9.2: mean pooling over padded texts ------------------------------------------------

def masked_mean_float64(table, ids, lengths):
    """Another correct answer: a mask in float64, summed in another order, cast back."""
    real = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).double()
    total = torch.einsum("bl,bld->bd", real, table[ids].double())
    return (total / real.sum(dim=1, keepdim=True)).to(table.dtype)


def embedding_bag(table, ids, lengths):
    """Another correct answer: the real words as a flat bag, nn.EmbeddingBag's mean."""
    flat = torch.cat([row[:n] for row, n in zip(ids, lengths.tolist())])
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    return F.embedding_bag(flat, table, offsets, mode="mean")


def loop(table, ids, lengths):
    """Another correct answer: one text at a time."""
    return torch.stack([table[row[:n]].mean(dim=0) for row, n in zip(ids, lengths.tolist())])


def real_mask(ids, lengths):
    return torch.arange(ids.shape[1])[None, :] < lengths[:, None]


def in_place(table, ids, lengths):
    table.mul_(1.0)  # harmless, but...
    ids[ids == 0] = 0
    lengths.clamp_(min=1)
    table[0] = 0  # ...this one changes the caller's table
    return loop(table, ids, lengths)


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda t, ids, n: t[ids].mean(dim=1), "2 texts of 3 and 1 words, padded with word 0: at index [1, 0]: "
     "expected 1, got 7", "the mean counts the padding"),
    (lambda t, ids, n: t[ids].sum(dim=1) / n[:, None], "at index [1, 0]: expected 1, got 21",
     "padding's vectors are in the sum"),
    (lambda t, ids, n: (t[ids] * real_mask(ids, n)[..., None]).sum(1) / ids.shape[1],
     "at index [1, 0]: expected 1, got 0.333333343", "not by the longest one"),
    (lambda t, ids, n: (t[ids] * real_mask(ids, n)[..., None]).sum(1), "at index [0, 0]: expected 0.333333343, got 1",
     "that is the sum"),
    (lambda t, ids, n: (t[ids] * real_mask(ids, n)[..., None]).sum(1) / n, "your function raised RuntimeError",
     None),
    (lambda t, ids, n: loop(t, ids, n).double(), "expected dtype torch.float32, got torch.float64", None),
    (lambda t, ids, n: loop(t, ids, n).T, "expected shape (2, 3), got (3, 2) (it looks transposed)", None),
    (in_place, "changed its argument `table` in place", None),
])
def test_mean_pool_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_mean_pool, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


# --- 9.3: WEAT's effect size --------------------------------------------------------------

def s(W, A, B):
    W, A, B = (F.normalize(m.double(), dim=1) for m in (W, A, B))
    return (W @ A.T).mean(1) - (W @ B.T).mean(1)


def float32_effect(X, Y, A, B):
    """Another correct answer: all in float32, with cosine_similarity and a hand-made
    sample standard deviation."""
    def s32(W):
        return (F.cosine_similarity(W[:, None], A[None], dim=2).mean(1)
                - F.cosine_similarity(W[:, None], B[None], dim=2).mean(1))
    both = torch.cat([s32(X.float()), s32(Y.float())])
    spread = ((both - both.mean()) ** 2).sum() / (len(both) - 1)
    return float((s32(X.float()).mean() - s32(Y.float()).mean()) / spread.sqrt())


def numpy_effect(X, Y, A, B):
    """Another correct answer: numpy, loops over words, ddof=1."""
    def cos(u, v):
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    X, Y, A, B = (m.double().numpy() for m in (X, Y, A, B))
    sx = [np.mean([cos(x, a) for a in A]) - np.mean([cos(x, b) for b in B]) for x in X]
    sy = [np.mean([cos(y, a) for a in A]) - np.mean([cos(y, b) for b in B]) for y in Y]
    return float((np.mean(sx) - np.mean(sy)) / np.std(sx + sy, ddof=1))


def effect(X, Y, A, B, spread):
    return float((s(X, A, B).mean() - s(Y, A, B).mean()) / spread)


def in_place_normalise(X, Y, A, B):
    for m in (X, Y, A, B):
        m.div_(m.norm(dim=1, keepdim=True))
    return effect(X, Y, A, B, torch.cat([s(X, A, B), s(Y, A, B)]).std())


@pytest.mark.parametrize("wrong, message, hint", [
    (stub, "not attempted yet", None),
    (lambda X, Y, A, B: effect(X, Y, A, B, torch.cat([s(X, A, B), s(Y, A, B)]).std(correction=0)),
     "2 words per set, d=2: expected", "the sample standard deviation (n - 1)"),
    (lambda X, Y, A, B: effect(X, Y, A, B, ((s(X, A, B).var() + s(Y, A, B).var()) / 2).sqrt()),
     "expected", "not by the spread within each group pooled"),
    (lambda X, Y, A, B: effect(X, Y, A, B, s(X, A, B).std()), "expected", "not X alone"),
    (lambda X, Y, A, B: effect(X, Y, A, B, 1.0), "expected", "divide the difference of the means"),
    (lambda X, Y, A, B: -effect(X, Y, A, B, torch.cat([s(X, A, B), s(Y, A, B)]).std()), "expected",
     "X's mean association minus Y's"),
    # dot products instead of cosines
    (lambda X, Y, A, B: float(((X @ A.T).mean(1).mean() - (X @ B.T).mean(1).mean()
                               - (Y @ A.T).mean(1).mean() + (Y @ B.T).mean(1).mean())
                              / torch.cat([(X @ A.T).mean(1) - (X @ B.T).mean(1),
                                           (Y @ A.T).mean(1) - (Y @ B.T).mean(1)]).std()),
     "expected", "use cosine similarities"),
    (lambda X, Y, A, B: torch.tensor([1.0, 2.0]), "expected a float, got a tensor of shape (2,)", None),
    (lambda X, Y, A, B: 1, "expected a float, got int", None),
    (in_place_normalise, "changed its argument `X` in place", None),
])
def test_weat_effect_size_rejects_wrong_answers(wrong, message, hint, capsys):
    verdict, out = run(check_weat_effect_size, wrong, capsys)
    assert verdict is False and message in out, out
    if hint:
        assert hint in out


def test_the_printed_values_show_the_difference(capsys):
    # ddof 0 against 1 on two words a side: the two printed numbers differ visibly
    wrong = lambda X, Y, A, B: effect(X, Y, A, B, torch.cat([s(X, A, B), s(Y, A, B)]).std(correction=0))  # noqa: E731
    _, out = run(check_weat_effect_size, wrong, capsys)
    expected, got = (float(x) for x in re.search(r"expected (-?[\d.]+\d), got (-?[\d.]+\d)", out).groups())
    assert abs(expected - got) > 0.01


def test_a_tiny_difference_is_printed_with_the_digits_that_show_it(capsys):
    # float16 vectors differ from the file's numbers in the fourth digit
    def half(path, limit):
        vectors = load_glove(path, limit)
        return WordVectors(vectors.words, vectors.vectors.half().float())

    _, out = run(check_read_glove, half, capsys)
    expected, got = re.search(r"expected (-?[\d.]+\d), got (-?[\d.]+\d)", out).groups()
    assert expected != got and float(expected) != float(got)

    def nudged(X, Y, A, B):  # off by 3e-4: above the tolerance, below 5 decimals' rounding
        return weat_effect_size_reference(X, Y, A, B) + 3e-4

    _, out = run(check_weat_effect_size, nudged, capsys)
    expected, got = re.search(r"expected (-?[\d.]+\d), got (-?[\d.]+\d)", out).groups()
    assert expected != got
