"""Every exercise check must accept the chapter's solution and reject typical wrong
answers, each with a message that names what is wrong."""

from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_linear_from_embedding, check_one_hot, check_word_to_index

CHAPTER_1 = "01_one_hot_to_lookup.ipynb"


@pytest.fixture(scope="module")
def chapter_1():
    return solutions(CHAPTER_1)


def test_chapter_1_has_three_solutions():
    assert len(solution_sources(CHAPTER_1)) == 3


# --- exercise 1.1: word_to_index ----------------------------------------------------


def ranked_words(tokens, min_count):
    counts = Counter(tokens)
    return counts, sorted((w for w in counts if counts[w] >= min_count), key=lambda w: (-counts[w], w))


def w2i_without_unk(tokens, min_count):  # off by one: real words start at 0
    _, words = ranked_words(tokens, min_count)
    return {w: i for i, w in enumerate(words)}


def w2i_strict_cut(tokens, min_count):  # > instead of >=
    _, words = ranked_words(tokens, min_count + 1)
    return {"<unk>": 0, **{w: i + 1 for i, w in enumerate(words)}}


def w2i_alphabetical(tokens, min_count):  # ignores the counts
    counts, _ = ranked_words(tokens, min_count)
    words = sorted(w for w in counts if counts[w] >= min_count)
    return {"<unk>": 0, **{w: i + 1 for i, w in enumerate(words)}}


def w2i_keeps_everything(tokens, min_count):  # forgets the cut
    _, words = ranked_words(tokens, 1)
    return {"<unk>": 0, **{w: i + 1 for i, w in enumerate(words)}}


def w2i_list(tokens, min_count):  # the wrong type: a list of words
    _, words = ranked_words(tokens, min_count)
    return ["<unk>"] + words


def test_word_to_index_accepts_the_solution(chapter_1, capsys):
    verdict, out = run(check_word_to_index, chapter_1["word_to_index"], capsys)
    assert verdict and "All 5 cases pass" in out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not attempted yet"),
        (w2i_without_unk, "'<unk>' is missing"),
        (w2i_strict_cut, "'cat' is missing"),
        (w2i_alphabetical, "expected 'the' -> 1, got 'the' -> 5"),
        (w2i_keeps_everything, "should not be in the vocabulary"),
        (w2i_list, "expected a dict mapping words to indices, got list"),
        (lambda tokens, min_count: None, "returned None"),
    ],
)
def test_word_to_index_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_word_to_index, wrong, capsys)
    assert verdict is False
    assert message in out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (w2i_without_unk, "index 0 belongs to '<unk>'"),
        (w2i_strict_cut, "a word seen exactly min_count times stays: use >=, not >"),
        (w2i_alphabetical, "sort by count first"),
    ],
)
def test_word_to_index_recognises_typical_mistakes(wrong, hint, capsys):
    _, out = run(check_word_to_index, wrong, capsys)
    assert f"Hint: {hint}" in out


# --- exercise 1.2: one_hot ----------------------------------------------------------


def test_one_hot_accepts_the_solution(chapter_1, capsys):
    verdict, out = run(check_one_hot, chapter_1["one_hot"], capsys)
    assert verdict and "cases pass" in out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not attempted yet"),
        (lambda idx, v: F.one_hot(idx, v).float().T, "expected shape (1, 3), got (3, 1) (it looks transposed)"),
        (lambda idx, v: F.one_hot(idx, v + 1).float(), "expected shape (1, 3), got (1, 4)"),
        (lambda idx, v: F.one_hot((idx + 1) % v, v).float(), "at index [0, 1]: expected 1, got 0"),
        (lambda idx, v: F.one_hot(idx, v), "expected dtype torch.float32, got torch.int64"),
        (lambda idx, v: F.one_hot(idx, v).float().numpy(), "expected a torch.Tensor, got ndarray"),
        (lambda idx, v: F.one_hot(idx, v).double(), "expected dtype torch.float32, got torch.float64"),
        (lambda idx, v: torch.zeros(len(idx), v), "expected 1, got 0"),
        (lambda idx, v: torch.eye(v)[idx][0], "expected shape"),  # forgets the batch dimension... for a batch of 1
        (lambda idx, v: torch.ones(len(idx), v), "expected 0, got 1"),
        (lambda idx, v: F.one_hot(idx.sort().values, v).float(), "at index [1, "),  # reorders the rows
    ],
)
def test_one_hot_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_one_hot, wrong, capsys)
    assert verdict is False
    assert message in out


def test_one_hot_names_the_off_by_one(capsys):
    _, out = run(check_one_hot, lambda idx, v: F.one_hot((idx - 1) % v, v).float(), capsys)
    assert "Hint: an off-by-one" in out


def test_one_hot_reports_a_crash(capsys):
    def crashes(idx, v):
        return torch.zeros(len(idx), v).index_fill_(1, idx + v, 1.0)

    verdict, out = run(check_one_hot, crashes, capsys)
    assert verdict is False and "your function raised IndexError" in out


def test_one_hot_checks_do_not_let_the_learner_spoil_the_inputs(capsys):
    def overwrites_input(idx, v):
        result = F.one_hot(idx, v).float()
        idx.zero_()  # changes its argument in place; the reference must not see it
        return result

    verdict, _ = run(check_one_hot, overwrites_input, capsys)
    assert verdict is True


# --- exercise 1.3: linear_from_embedding ------------------------------------------


def linear_with(weight, in_features, out_features, bias=False):
    layer = nn.Linear(in_features, out_features, bias=bias)
    layer.weight = nn.Parameter(weight.detach().clone())
    return layer


def test_linear_from_embedding_accepts_the_solution(chapter_1, capsys):
    verdict, out = run(check_linear_from_embedding, chapter_1["linear_from_embedding"], capsys)
    assert verdict and "All 3 cases pass" in out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not attempted yet"),
        # forgets the transpose: the weight has the wrong shape
        (lambda e: linear_with(e.weight, *e.weight.shape), "expected shape (2, 3), got (3, 2) (it looks transposed)"),
        # in and out features swapped
        (lambda e: linear_with(e.weight, e.weight.shape[1], e.weight.shape[0]),
         "expected nn.Linear(in_features=3, out_features=2), got nn.Linear(in_features=2, out_features=3)"),
        # off by one: row i + 1 comes out for word i
        (lambda e: linear_with(torch.roll(e.weight, -1, dims=0).T, *e.weight.shape), "at index [0, 0]"),
        # keeps the default bias
        (lambda e: linear_with(e.weight.T, *e.weight.shape, bias=True), "expected no bias"),
        # returns the embedding itself
        (lambda e: e, "expected an nn.Linear, got Embedding"),
        # a fresh layer, weights never copied
        (lambda e: nn.Linear(*e.weight.shape, bias=False), "at index [0, 0]"),
    ],
)
def test_linear_from_embedding_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_linear_from_embedding, wrong, capsys)
    assert verdict is False
    assert message in out


def test_linear_from_embedding_names_the_missing_transpose(capsys):
    _, out = run(check_linear_from_embedding, lambda e: linear_with(e.weight, *e.weight.shape), capsys)
    assert "Hint: nn.Linear stores its weight as (out_features, in_features)" in out
