"""Checks for the exercise of appendix B: the shard of a corpus that one process of
several trains on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..distributed import shard_bounds
from .engine import Case, Mistake, run_check

__all__ = ["check_shard_bounds"]


def _sentences(lengths: list[int]) -> torch.Tensor:
    """The sentence of every token, for sentences of the given lengths."""
    return torch.repeat_interleave(torch.arange(len(lengths), dtype=torch.int32),
                                   torch.tensor(lengths))


def _cases() -> list[Case]:
    g = torch.Generator().manual_seed(101)
    big = torch.randint(1, 40, (2_000,), generator=g).tolist()
    uneven = [1, 9, 2, 2, 7, 1, 3, 5]  # 30 tokens
    return [
        Case("one process takes everything", (_sentences([3, 4]), 0, 1)),
        Case("sentences of 2, 2, 2, 2; rank 1 of 2", (_sentences([2, 2, 2, 2]), 1, 2)),
        Case("uneven sentences (30 tokens); rank 0 of 3", (_sentences(uneven), 0, 3)),
        Case("uneven sentences; rank 1 of 3 (a sentence starts at token 10, T / 3)",
             (_sentences(uneven), 1, 3)),
        Case("uneven sentences; rank 2 of 3, the last", (_sentences(uneven), 2, 3)),
        Case("uneven sentences; rank 1 of 4 (7.5 tokens in)", (_sentences(uneven), 1, 4)),
        Case("a sentence starts exactly at r T / N: 5 sentences of 3, rank 1 of 5",
             (_sentences([3] * 5), 1, 5)),
        Case("a sentence starts at token 3, before r T / N = 3.33: rank 1 of 3",
             (_sentences([3, 1, 3, 3]), 1, 3)),
        Case("2,000 sentences; rank 5 of 8", (_sentences(big), 5, 8)),
        Case("2,000 sentences; rank 7 of 8, the last", (_sentences(big), 7, 8)),
    ]


def _compare(got: Any, expected: tuple[int, int]) -> str | None:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"expected a tuple (start, end) of two whole numbers, got {got!r:.80}."
    values = []
    for name, value in zip(("start", "end"), got):
        if isinstance(value, torch.Tensor) and value.numel() == 1 \
                and not value.is_floating_point():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} should be a whole number (an int), got {value!r:.60}."
        values.append(value)
    if tuple(values) != tuple(expected):
        return f"expected (start, end) = {tuple(expected)}, got {tuple(values)}."
    return None


def _starts(sentence: torch.Tensor) -> list[int]:
    return [i for i in range(len(sentence)) if i == 0 or sentence[i] != sentence[i - 1]]


def check_shard_bounds(bounds: Callable[[torch.Tensor, int, int], tuple[int, int]]) -> bool:
    """Check the exercise of appendix B: ``bounds(sentence, rank, world)`` returns the
    tokens ``(start, end)`` of the shard of process ``rank`` out of ``world``: shard
    ``r`` starts at the first sentence that begins at or after token ``r * T / world``
    (shard 0 at token 0) and ends where shard ``r + 1`` starts, the last at ``T``."""

    def by_tokens(sentence, rank, world):  # cuts through sentences
        total = len(sentence)
        return rank * total // world, (rank + 1) * total // world

    def by_sentence_count(sentence, rank, world):  # the same number of sentences each
        starts, total = _starts(sentence), len(sentence)
        first = len(starts) * rank // world
        last = len(starts) * (rank + 1) // world
        return starts[first], starts[last] if last < len(starts) else total

    def containing(sentence, rank, world):  # the sentence that holds token r T / world
        starts, total = _starts(sentence), len(sentence)

        def begin(r):
            if r == world:
                return total
            target = -(-r * total // world)
            return max(s for s in starts if s <= target)
        return begin(rank), begin(rank + 1)

    def end_inclusive(sentence, rank, world):  # end is the last token, not one past it
        start, end = shard_bounds(sentence, rank, world)
        return start, end - 1

    mistakes = [
        Mistake(by_tokens, "a shard holds whole sentences: move each cut at r T / N to the "
                           "next sentence start, so no window is cut in two."),
        Mistake(by_sentence_count, "cut at a share of the tokens, not of the sentences: "
                                   "sentences differ in length, and shards should hold about "
                                   "T / N tokens each."),
        Mistake(containing, "the shard starts at the first sentence that begins at or after "
                            "token r T / N, not at the start of the sentence holding it."),
        Mistake(end_inclusive, "end is one past the last token (a Python slice "
                               "sentence[start:end]), so shard r ends where shard r + 1 "
                               "starts."),
    ]
    return run_check("shard_bounds", bounds, _cases(), shard_bounds, _compare, mistakes)
