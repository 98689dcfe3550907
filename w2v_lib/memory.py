"""How much memory a piece of code needs at its peak (chapter 8).

Chapter 8 compares methods that hold very different things: SGNS two tables of
``V x d`` numbers, counting a sparse matrix of every pair seen. Their cost is the
memory they need *at their peak*, which may be a temporary that is gone when they
return. :class:`PeakMemory` measures it:

* on the CPU, a background thread reads the process's resident memory (Linux's
  ``/proc/self/statm``) every ``interval`` seconds; the result is the highest value
  seen, minus the value when the block started. Freed memory that the C library
  keeps for reuse would hide a later block's needs, so the block starts with
  ``malloc_trim``, which returns it to the system (glibc);
* without ``/proc`` (macOS, Windows), it falls back on the process's high-water mark
  (``ru_maxrss``), which only shows memory beyond any earlier peak: a lower bound;
* on a CUDA device, PyTorch's own peak of allocated GPU memory.

A peak shorter than ``interval`` can be missed; large arrays take longer than that to
fill, so the measurement is close for the sizes that matter here (tens of MB and up).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import sys
import threading
import time

import torch

__all__ = ["PeakMemory", "resident_bytes"]

_STATM = "/proc/self/statm"


def resident_bytes() -> int | None:
    """The resident memory of this process now, in bytes (``None`` without ``/proc``)."""
    try:
        with open(_STATM, encoding="ascii") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def _high_water_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KB on Linux


def _release_free_memory() -> None:
    """Hand freed heap memory back to the system, where the C library allows it."""
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc: nothing to trim


class PeakMemory:
    """A ``with`` block that measures the peak memory used inside it.

    Introduced in chapter 8::

        with PeakMemory() as memory:
            vectors = train(...)
        print(f"{memory.peak_bytes / 1e6:.0f} MB")

    ``peak_bytes``: the highest resident memory of the process during the block, above
    the level at its start. ``exact`` is False where only the high-water mark was
    available (see the module's notes). ``device_peak_bytes``: the peak of GPU memory
    allocated by PyTorch during the block, when ``device`` is a CUDA device.
    """

    def __init__(self, interval: float = 0.002,
                 device: torch.device | str | None = None) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be a positive number of seconds, got {interval}.")
        self.interval = interval
        self.device = torch.device(device) if device is not None else None
        self.peak_bytes = 0
        self.device_peak_bytes = 0
        self.exact = resident_bytes() is not None
        self._highest = 0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def _watch(self) -> None:
        while not self._done.is_set():
            self._highest = max(self._highest, resident_bytes() or 0)
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        _release_free_memory()
        cuda = self.device is not None and self.device.type == "cuda"
        if cuda:
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self._device_start = torch.cuda.memory_allocated(self.device)
        if self.exact:
            self._start = self._highest = resident_bytes() or 0
            self._done.clear()
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        else:
            self._start = _high_water_bytes()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.exact:
            self._done.set()
            assert self._thread is not None
            self._thread.join()
            self._highest = max(self._highest, resident_bytes() or 0)
            self.peak_bytes = self._highest - self._start
        else:
            self.peak_bytes = _high_water_bytes() - self._start
        if self.device is not None and self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.device_peak_bytes = (torch.cuda.max_memory_allocated(self.device)
                                      - self._device_start)
