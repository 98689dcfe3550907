"""PeakMemory sees what a block allocates, even when the block frees it again."""

import numpy as np
import pytest
import torch

from w2v_lib.memory import PeakMemory, resident_bytes

MB = 1_000_000


def test_resident_memory_is_read_on_linux():
    assert resident_bytes() is None or resident_bytes() > 10 * MB


def test_a_block_that_allocates_nothing_uses_next_to_nothing():
    with PeakMemory() as memory:
        sum(range(1000))
    assert memory.peak_bytes < 20 * MB


@pytest.mark.parametrize("make", [
    lambda: np.ones(200 * MB // 8),                 # numpy
    lambda: torch.ones(200 * MB // 4),              # PyTorch
])
def test_an_array_kept_to_the_end_of_the_block(make):
    with PeakMemory() as memory:
        array = make()
    assert memory.exact
    assert 195 * MB < memory.peak_bytes < 240 * MB
    del array


def test_a_temporary_freed_inside_the_block_still_counts():
    with PeakMemory() as memory:
        total = float(torch.ones(300 * MB // 4).sum())  # 300 MB, gone at once
    assert total == 300 * MB // 4
    assert memory.peak_bytes > 290 * MB


def test_memory_freed_before_the_block_does_not_hide_its_needs():
    # freed heap memory below a live block stays resident; without malloc_trim the
    # block below would reuse it and appear to need nothing (measured: 0.1 MB)
    np.ones(1_000_000 // 8)  # an mmapped 1 MB array, freed: glibc now uses the heap
    kept = [np.ones(1_000_000 // 8) for _ in range(150)]
    top = np.ones(300_000 // 8)  # above them on the heap, so their hole stays
    del kept
    with PeakMemory() as memory:
        again = [np.ones(1_000_000 // 8) for _ in range(150)]
    assert memory.peak_bytes > 140 * MB
    del again, top


def test_a_bad_interval_is_refused():
    with pytest.raises(ValueError, match="interval must be a positive"):
        PeakMemory(interval=0)
