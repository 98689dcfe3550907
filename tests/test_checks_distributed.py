"""The exercise check of appendix B accepts the appendix's solution and other correct
formulations, and rejects typical wrong answers, each with a message that names what
is wrong."""

import torch

from checking import run, stub
from notebook_solutions import solution_sources, solutions
from w2v_lib.checks import check_shard_bounds
from w2v_lib.distributed import shard_bounds

APPENDIX_B = "appendix_b_distributed.ipynb"


def test_the_appendix_has_its_solution():
    assert len(solution_sources(APPENDIX_B)) == 1


def test_the_appendix_solution_passes(capsys):
    verdict, out = run(check_shard_bounds, solutions(APPENDIX_B)["shard_bounds"], capsys)
    assert verdict and "cases pass" in out


def test_the_library_passes(capsys):
    verdict, out = run(check_shard_bounds, shard_bounds, capsys)
    assert verdict, out


def test_a_stub_is_not_attempted_yet(capsys):
    verdict, out = run(check_shard_bounds, stub, capsys)
    assert verdict is False and "not attempted yet" in out


def test_tensors_of_one_whole_number_are_accepted(capsys):
    def as_tensors(sentence, rank, world):
        start, end = shard_bounds(sentence, rank, world)
        return torch.tensor(start), torch.tensor(end)

    verdict, out = run(check_shard_bounds, as_tensors, capsys)
    assert verdict, out


def test_cutting_through_sentences_is_rejected(capsys):
    def by_tokens(sentence, rank, world):
        return rank * len(sentence) // world, (rank + 1) * len(sentence) // world

    verdict, out = run(check_shard_bounds, by_tokens, capsys)
    assert verdict is False and "whole sentences" in out
    assert "expected (start, end) = (10, 21), got (10, 20)" in out


def test_rounding_the_cut_down_is_rejected(capsys):
    """The first sentence at or after r T / N, with r T / N rounded down first: wrong
    when a sentence starts between the rounded and the true cut."""
    def floor_cut(sentence, rank, world):
        starts = [i for i in range(len(sentence))
                  if i == 0 or sentence[i] != sentence[i - 1]]
        total = len(sentence)

        def cut(r):
            if r == world:
                return total
            return next((s for s in starts if s >= r * total // world), total)
        return cut(rank), cut(rank + 1)

    verdict, out = run(check_shard_bounds, floor_cut, capsys)
    assert verdict is False and "expected (start, end)" in out


def test_floats_and_wrong_shapes_are_named(capsys):
    verdict, out = run(check_shard_bounds, lambda s, r, w: (0.0, float(len(s))), capsys)
    assert verdict is False and "start should be a whole number" in out
    verdict, out = run(check_shard_bounds, lambda s, r, w: [0, 1, 2], capsys)
    assert verdict is False and "expected a tuple (start, end)" in out


def test_a_function_that_changes_the_sentences_is_caught(capsys):
    def careless(sentence, rank, world):
        result = shard_bounds(sentence, rank, world)
        sentence += 1
        return result

    verdict, out = run(check_shard_bounds, careless, capsys)
    assert verdict is False and "in place" in out
