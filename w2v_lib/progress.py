"""A progress line for training runs that reads well in a terminal, in a live notebook,
and in a notebook stored with its outputs (chapter 2).

In a terminal it is a tqdm bar. In a notebook it is a single line of text that is
replaced in place: a stored notebook then keeps only the final line, instead of every
intermediate state of a bar, which would fill pages of the book.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


class Progress:
    """Report ``done`` of ``total`` steps with a few named values; ``close()`` at the end."""

    def __init__(self, total: int, unit: str = "step", enabled: bool = True, every: float = 1.0) -> None:
        self.total, self.unit, self.enabled, self.every = total, unit, enabled, every
        self.done, self.values, self.start, self.shown_at = 0, {}, time.perf_counter(), 0.0
        self.bar = self.handle = None
        if not enabled:
            return
        if _in_notebook():
            from IPython.display import Pretty, display

            self._text = Pretty
            self.handle = display(Pretty(self._line()), display_id=True)
        else:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, file=sys.stdout, mininterval=every, ascii=True)

    def _line(self) -> str:
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        values = "".join(f" | {name} {value}" for name, value in self.values.items())
        return (f"{self.done:,}/{self.total:,} {self.unit}s | {rate:,.1f} {self.unit}s/s | "
                f"{elapsed:,.0f} s{values}")

    def set(self, **values: object) -> None:
        self.values.update(values)
        if self.bar is not None:
            self.bar.set_postfix(values, refresh=False)

    def update(self, steps: int = 1) -> None:
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)
        elif self.handle is not None and time.perf_counter() - self.shown_at >= self.every:
            self.shown_at = time.perf_counter()
            self.handle.update(self._text(self._line()))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.handle is not None:
            self.handle.update(self._text(self._line()))
