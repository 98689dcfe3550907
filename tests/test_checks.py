"""Every exercise check must accept the chapter's solution and reject typical wrong
answers, each with a message that names what is wrong."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_cosine_spread, check_linear_from_embedding, check_one_hot

CHAPTER_1 = "01_one_hot_to_lookup.ipynb"


@pytest.fixture(scope="module")
def chapter_1():
    return solutions(CHAPTER_1)


def test_chapter_1_has_three_solutions():
    assert len(solution_sources(CHAPTER_1)) == 3


# --- exercise 1.1: one_hot ----------------------------------------------------------


def test_one_hot_accepts_the_solution(chapter_1, capsys):
    verdict, out = run(check_one_hot, chapter_1["one_hot"], capsys)
    # five cases, and one more on a machine with a GPU
    assert verdict and f"All {5 + torch.cuda.is_available()} cases pass. Well done!" in out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "… not attempted yet: one_hot still raises NotImplementedError."),
        (lambda idx, v: F.one_hot(idx, v).float().T,
         "✗ one index, vocabulary of 3: expected shape (1, 3), got (3, 1) (it looks transposed)."),
        (lambda idx, v: F.one_hot(idx, v + 1).float(), "✗ one index, vocabulary of 3: expected shape (1, 3), got (1, 4)."),
        (lambda idx, v: F.one_hot((idx + 1) % v, v).float(),
         "✗ one index, vocabulary of 3: at index [0, 1]: expected 1, got 0."),
        (lambda idx, v: F.one_hot(idx, v),
         "✗ one index, vocabulary of 3: expected dtype torch.float32, got torch.int64."),
        (lambda idx, v: F.one_hot(idx, v).float().numpy(),
         "✗ one index, vocabulary of 3: expected a torch.Tensor, got ndarray."),
        (lambda idx, v: F.one_hot(idx, v).double(),
         "✗ one index, vocabulary of 3: expected dtype torch.float32, got torch.float64."),
        (lambda idx, v: torch.zeros(len(idx), v), "✗ one index, vocabulary of 3: at index [0, 1]: expected 1, got 0."),
        # forgets the batch dimension... for a batch of 1
        (lambda idx, v: torch.eye(v)[idx][0], "✗ one index, vocabulary of 3: expected shape (1, 3), got (3,)."),
        (lambda idx, v: torch.ones(len(idx), v), "✗ one index, vocabulary of 3: at index [0, 0]: expected 0, got 1."),
        # reorders the rows
        (lambda idx, v: F.one_hot(idx.sort().values, v).float(),
         "✗ a repeated index, vocabulary of 5: at index [1, 2]: expected 0, got 1."),
    ],
)
def test_one_hot_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_one_hot, wrong, capsys)
    assert verdict is False
    assert message in out


def test_one_hot_names_the_off_by_one(capsys):
    _, out = run(check_one_hot, lambda idx, v: F.one_hot((idx - 1) % v, v).float(), capsys)
    assert "Hint: an off-by-one: index i goes in column i, counting from 0." in out


def test_one_hot_reports_a_crash(capsys):
    def crashes(idx, v):
        return torch.zeros(len(idx), v).index_fill_(1, idx + v, 1.0)

    verdict, out = run(check_one_hot, crashes, capsys)
    assert verdict is False
    assert "✗ one index, vocabulary of 3: your function raised IndexError: index 4 is out of bounds" in out


def test_one_hot_reports_a_function_that_changes_its_input(capsys):
    def overwrites_input(idx, v):
        result = F.one_hot(idx, v).float()
        idx.zero_()  # changes its argument in place
        return result

    verdict, out = run(check_one_hot, overwrites_input, capsys)
    assert verdict is False
    assert "✗ one index, vocabulary of 3: your function changed its argument `idx` in place" in out


def on_cpu(idx, v):  # ignores the device of the indices
    vectors = torch.zeros(len(idx), v)
    vectors[torch.arange(len(idx)), idx.cpu() if idx.device.type != "meta" else idx] = 1.0
    return vectors


def test_one_hot_checks_the_device_without_a_gpu(capsys):
    """Indices on the 'meta' device (shapes, no values) catch a result made on the CPU
    whatever the indices' device, which the CPU cases cannot tell from a right one."""
    verdict, out = run(check_one_hot, on_cpu, capsys)
    assert verdict is False
    assert ("✓ 256 random indices, vocabulary of 5,000 ✗ 3 indices on the 'meta' device, "
            "vocabulary of 6: expected the result on device meta, the device of the inputs (the "
            "'meta' device stands in for a GPU here: it has shapes but no values), got cpu.") in out


def test_one_hot_flags_mixed_devices_on_meta(capsys):
    verdict, out = run(check_one_hot, lambda idx, v: (idx[:, None] == torch.arange(v)).float(), capsys)
    assert verdict is False
    assert "✗ 3 indices on the 'meta' device, vocabulary of 6: your function raised RuntimeError" in out
    assert "Hint: this case puts the inputs on the 'meta' device, a stand-in for a GPU" in out


def test_one_hot_skips_the_meta_case_for_a_function_that_reads_values(capsys):
    """A loop that reads each index (int(idx[k])) runs on a GPU but not on 'meta':
    the case is skipped, not failed."""
    def loop(idx, v):
        vectors = torch.zeros(len(idx), v, device=idx.device)
        for k in range(len(idx)):
            vectors[k, int(idx[k])] = 1.0
        return vectors

    verdict, out = run(check_one_hot, loop, capsys)
    assert verdict is True
    assert "– 3 indices on the 'meta' device, vocabulary of 6: skipped." in out
    cases = 5 + torch.cuda.is_available()
    assert f"{cases - 1} of {cases} cases pass; 1 could not run here (see above)." in out


# --- exercise 1.2: linear_from_embedding ------------------------------------------


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
        (stub, "… not attempted yet: linear_from_embedding still raises NotImplementedError."),
        # forgets the transpose: the weight has the wrong shape
        (lambda e: linear_with(e.weight, *e.weight.shape),
         "✗ a 3-word vocabulary, d=2: expected shape (2, 3), got (3, 2) (it looks transposed)."),
        # in and out features swapped
        (lambda e: linear_with(e.weight, e.weight.shape[1], e.weight.shape[0]),
         "✗ a 3-word vocabulary, d=2: expected nn.Linear(in_features=3, out_features=2), "
         "got nn.Linear(in_features=2, out_features=3)."),
        # off by one: row i + 1 comes out for word i
        (lambda e: linear_with(torch.roll(e.weight, -1, dims=0).T, *e.weight.shape),
         "✗ a 3-word vocabulary, d=2: at index [0, 0]: expected 0.6614, got 0.06168."),
        # keeps the default bias
        (lambda e: linear_with(e.weight.T, *e.weight.shape, bias=True),
         "✗ a 3-word vocabulary, d=2: expected no bias (bias=False)"),
        # returns the embedding itself
        (lambda e: e, "✗ a 3-word vocabulary, d=2: expected an nn.Linear, got Embedding."),
        # a fresh layer, weights never copied: its random weights differ
        (lambda e: nn.Linear(*e.weight.shape, bias=False), "✗ a 3-word vocabulary, d=2: at index [0, 0]: expected 0.6614, got"),
    ],
)
def test_linear_from_embedding_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_linear_from_embedding, wrong, capsys)
    assert verdict is False
    assert message in out


def test_linear_from_embedding_names_the_missing_transpose(capsys):
    _, out = run(check_linear_from_embedding, lambda e: linear_with(e.weight, *e.weight.shape), capsys)
    assert "Hint: nn.Linear stores its weight as (out_features, in_features)" in out


# --- exercise 1.3: cosine_spread ----------------------------------------------------


def test_cosine_spread_accepts_the_solution(chapter_1, capsys):
    verdict, out = run(check_cosine_spread, chapter_1["cosine_spread"], capsys)
    assert verdict and "All 6 cases pass" in out


@pytest.mark.parametrize("right", [lambda d: d ** -0.5, lambda d: math.sqrt(1 / d),
                                   lambda d: torch.tensor(1.0 / d).sqrt()])
def test_cosine_spread_accepts_other_ways_to_write_it(right, capsys):
    verdict, _ = run(check_cosine_spread, right, capsys)
    assert verdict


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "… not attempted yet: cosine_spread still raises NotImplementedError."),
        (lambda d: 1 / d, "✗ d = 2: expected 0.7071, got 0.5. Hint: that is the variance"),
        (lambda d: math.sqrt(d), "✗ d = 2: expected 0.7071, got 1.414. Hint: the spread shrinks"),
        (lambda d: 0, "✗ d = 2: expected 0.7071, got 0. Hint: 0 is the mean of the cosine"),
        (lambda d: 1 / math.sqrt(d - 1), "✗ d = 2: expected 0.7071, got 1. Hint: divide by d"),
        # a simulation is not the formula: its last digits wander
        (lambda d: float(torch.nn.functional.cosine_similarity(
            torch.randn(20_000, d), torch.randn(20_000, d)).std()), "✗ d = 2: expected 0.7071"),
        (lambda d: "1/sqrt(d)", "✗ d = 2: expected a number, got str: '1/sqrt(d)'."),
    ],
)
def test_cosine_spread_rejects_wrong_answers(wrong, message, capsys):
    verdict, out = run(check_cosine_spread, wrong, capsys)
    assert verdict is False
    assert message in out
