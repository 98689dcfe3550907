"""The engine behind every exercise check: run the learner's function on cases from
tiny to realistic, compare each answer with a reference, and say what is wrong.

Every check prints one line per case and returns a bool. At the first mismatch it
prints what it expected and what it got, and, when the wrong answer matches a known
typical mistake, a hint aimed at that mistake. A stub that still raises
``NotImplementedError`` is "not attempted yet", not a failure with a traceback.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

__all__ = ["Case", "Mistake", "run_check", "compare_tensors", "compare_values", "compare_tensor_tuples"]

# A comparison returns None when ``got`` matches ``expected``, else what is wrong.
Compare = Callable[[Any, Any], "str | None"]


@dataclass(frozen=True)
class Case:
    """One input to try: a short description and the arguments."""

    name: str
    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: how to compute it, and the hint to give when we see it."""

    make: Callable[..., Any]
    hint: str


# --- the runner shared by every check ------------------------------------------------


def _copy(value: Any) -> Any:
    """A fresh copy of an argument, so a function that changes its input in place
    cannot spoil the reference answer."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, nn.Module):
        return copy.deepcopy(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def run_check(
    title: str,
    fn: Callable[..., Any],
    cases: Sequence[Case],
    reference: Callable[..., Any],
    compare: Compare,
    mistakes: Sequence[Mistake] = (),
) -> bool:
    """Run ``fn`` on every case, compare with ``reference``, print a report, return a bool.

    This is the engine behind every ``check_*`` function; later chapters reuse it.
    """
    print(f"Checking {title} on {len(cases)} cases")
    for case in cases:
        try:
            got = fn(*_copy(case.args))
        except NotImplementedError:
            _say(f"… not attempted yet: {title} still raises NotImplementedError. "
                 "Replace that line with your code, then run the cell again.")
            return False
        except Exception as error:  # the learner's code failed: say how
            _say(f"✗ {case.name}: your function raised {type(error).__name__}: {error}")
            return False
        if got is None:
            _say(f"✗ {case.name}: your function returned None. "
                 "Did you forget the `return`?")
            return False
        expected = reference(*_copy(case.args))
        problem = compare(got, expected)
        if problem is None:
            _say(f"✓ {case.name}")
            continue
        _say(f"✗ {case.name}: {problem}")
        for mistake in mistakes:
            if compare(got, mistake.make(*_copy(case.args))) is None:
                _say(f"Hint: {mistake.hint}", indent=4)
                break
        return False
    print(f"All {len(cases)} cases pass. Well done!")
    return True


def _say(text: str, indent: int = 2) -> None:
    """Print one line of the report, wrapped to fit a notebook's output area."""
    pad = " " * indent
    print(textwrap.fill(text, width=72, initial_indent=pad, subsequent_indent=pad + "  "))


def short_repr(value: Any) -> str:
    """A short, readable form of a scalar for the report."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return f"a tensor of shape {tuple(value.shape)}"
        value = value.item()
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value)


def compare_tensors(got: Any, expected: torch.Tensor, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """Compare type, then shape, then dtype, then device, then values.

    Returns ``None`` when they match, else a sentence naming the first difference.
    """
    if not isinstance(got, torch.Tensor):
        return f"expected a torch.Tensor, got {type(got).__name__}."
    if got.shape != expected.shape:
        hint = " (it looks transposed)" if got.shape == expected.shape[::-1] and got.dim() == 2 else ""
        return f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}{hint}."
    if got.dtype != expected.dtype:
        return f"expected dtype {expected.dtype}, got {got.dtype}."
    if got.device != expected.device:
        return f"expected the result on device {expected.device}, got {got.device}."
    if expected.is_floating_point():
        close = torch.isclose(got, expected, atol=atol, rtol=rtol)
    else:
        close = got == expected
    if bool(close.all()):
        return None
    if expected.dim() == 0:
        return f"expected {short_repr(expected)}, got {short_repr(got)}."
    where = tuple(int(i) for i in (~close).nonzero()[0])
    return f"at index {list(where)}: expected {short_repr(expected[where])}, got {short_repr(got[where])}."




def compare_values(got: Any, expected: list) -> str | None:
    """Compare two lists element by element (pairs of words, examples, ...).

    Returns ``None`` when they are equal, else the first difference.
    """
    if not isinstance(got, (list, tuple)):
        return f"expected a list, got {type(got).__name__}."
    got = [tuple(x) if isinstance(x, list) and expected and isinstance(expected[0], tuple) else x for x in got]
    for position, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            return f"item {position}: expected {e!r}, got {g!r}."
    if len(got) != len(expected):
        which = "missing" if len(got) < len(expected) else "extra"
        first = expected[len(got)] if len(got) < len(expected) else got[len(expected)]
        return (f"expected {len(expected)} items, got {len(got)}; the first {which} one is "
                f"{first!r}.")
    return None


def compare_tensor_tuples(names: Sequence[str]) -> Compare:
    """A comparison for functions that return several tensors, e.g. two gradients.

    Each part is compared with :func:`compare_tensors`, and a mismatch names the part.
    """

    def compare(got: Any, expected: tuple) -> str | None:
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} tensors ({', '.join(names)}), got {type(got).__name__}" + (
                f" of length {len(got)}." if isinstance(got, (tuple, list)) else ".")
        for name, g, e in zip(names, got, expected):
            problem = compare_tensors(g, e, atol=1e-5, rtol=1e-4)
            if problem is not None:
                return f"{name}: {problem}"
        return None

    return compare
