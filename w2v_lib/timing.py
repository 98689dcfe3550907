"""Measuring how long a piece of code takes, fairly on CPU and GPU (chapter 1).

The book compares costs all the time: a one-hot product against a lookup (chapter 1),
a full softmax against negative sampling (chapter 4), a Python loop against a
vectorized one (chapter 7). This module holds the one way it measures them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch

__all__ = ["median_seconds"]


def median_seconds(fn: Callable[[], object], repeats: int = 5, warmup: int = 1,
                   device: torch.device | str | None = None) -> float:
    """Call ``fn()`` ``warmup`` times untimed, then ``repeats`` times, and return the
    median wall-clock time of one call, in seconds.

    Introduced in chapter 1. GPU work is asynchronous: on a CUDA ``device`` the clock
    stops only after the device has finished, so the time is that of the work and not
    of queueing it. The median shrugs off the odd slow call.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}.")
    on_cuda = device is not None and torch.device(device).type == "cuda"

    def wait() -> None:
        if on_cuda:
            torch.cuda.synchronize(device)

    for _ in range(warmup):
        fn()
    wait()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        wait()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
