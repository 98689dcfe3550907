"""The engine behind every exercise check: run the learner's function on cases from
tiny to realistic, compare each answer with a reference, and say what is wrong.

Every check prints one line per case and returns a bool. At the first mismatch it
prints what it expected and what it got, and, when the wrong answer matches a known
typical mistake, a hint aimed at that mistake. A stub that still raises
``NotImplementedError`` is "not attempted yet", not a failure with a traceback; a
function that calls an earlier exercise's stub is told which one. A function that
changes its inputs in place is caught: a caller (such as chapter 6's evaluation, which
passes the real embedding table) must get its tensors back as they were.
"""

from __future__ import annotations

import copy
import inspect
import math
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import torch
from torch import nn

from .rounding import UNIT, gamma

__all__ = ["Approx", "Case", "Mistake", "run_check", "run_prediction", "compare_tensors",
           "compare_values", "compare_tensor_tuples", "compare_formula", "short_repr",
           "two_numbers"]

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


@dataclass(frozen=True)
class Approx:
    """A right answer that float rounding lets vary: its exact value (float64), the
    largest distance, element by element, at which a correct computation may land
    (see :mod:`w2v_lib.checks.rounding`), and the dtype the answer must have."""

    exact: torch.Tensor
    error: torch.Tensor
    dtype: torch.dtype

    @property
    def shape(self) -> torch.Size:
        return self.exact.shape

    @property
    def device(self) -> torch.device:
        return self.exact.device


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


def _same(before: Any, after: Any) -> bool:
    """Whether an argument is as it was before the learner's function saw it."""
    if isinstance(before, torch.Tensor):
        if not isinstance(after, torch.Tensor) or before.device.type == "meta":
            return True  # a meta tensor has no values to compare
        return (after.shape == before.shape and after.dtype == before.dtype
                and torch.equal(after.detach().cpu(), before.detach().cpu()))
    if isinstance(before, nn.Module):
        then, now = before.state_dict(), after.state_dict()
        return then.keys() == now.keys() and all(_same(then[k], now[k]) for k in then)
    if isinstance(before, (list, tuple)):
        return (isinstance(after, (list, tuple)) and len(before) == len(after)
                and all(_same(b, a) for b, a in zip(before, after)))
    try:
        return bool(before == after)
    except Exception:  # a value that cannot say whether it is equal: assume it is
        return True


def _argument_names(fn: Callable, count: int) -> list[str]:
    """The names the learner gave to the arguments, for the messages."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [f"`{names[k]}`" if k < len(names) else f"argument {k + 1}" for k in range(count)]


def _changed_message(name: str, value: Any) -> str:
    if isinstance(value, torch.Tensor):
        how = ("Compute on new tensors instead: x = x / n, not x /= n; methods without "
               "a trailing underscore (add, not add_).")
    elif isinstance(value, nn.Module):
        how = "Copy what you need (weight.detach().clone()) instead of changing it."
    else:
        how = "Build a new list instead of changing this one."
    return (f"your function changed its argument {name} in place; the caller gets it "
            f"back changed, and a later cell would use the changed values. {how}")


def _stub_message(title: str, error: NotImplementedError) -> str | None:
    """What to say about a NotImplementedError: None unless it comes from a stub.

    A stub raises a bare NotImplementedError. Raised by the learner's function itself,
    the exercise is not attempted yet; raised by a function it calls (an earlier
    exercise's stub), that earlier function is what to finish first. A message-bearing
    NotImplementedError (torch raises those for operations a device lacks) is an error.
    """
    if error.args:
        return None
    torch_dir = os.path.dirname(torch.__file__)
    frames = []
    trace = error.__traceback__.tb_next if error.__traceback__ else None  # skip run_check
    while trace is not None:
        frames.append(trace.tb_frame.f_code)
        trace = trace.tb_next
    if not frames or torch_dir in frames[-1].co_filename:
        return None
    # the learner's own frames: a decorator such as @torch.no_grad() adds one of torch's,
    # and a check that wraps the learner's function to explain its errors adds its own
    checks_dir = os.path.dirname(os.path.abspath(__file__))
    own = [code for code in frames if torch_dir not in code.co_filename
           and os.path.dirname(os.path.abspath(code.co_filename)) != checks_dir]
    if len(own) <= 1:
        return (f"not attempted yet: {title} still raises NotImplementedError. "
                "Replace that line with your code, then run the cell again.")
    raiser = frames[-1]
    return (f"your function calls {raiser.co_name}, which still raises "
            f"NotImplementedError: it looks like the stub of an earlier exercise. Finish "
            f"{raiser.co_name} first (its check is further up), run its cell, then this one.")


def _on_meta(args: tuple) -> bool:
    return any(isinstance(a, torch.Tensor) and a.device.type == "meta" for a in args)


def _meta_cannot_run(error: Exception) -> bool:
    """Whether an error on a 'meta' tensor comes from reading values it does not have
    (which a GPU would give) rather than from mixing devices (which a GPU would refuse)."""
    text = str(error).lower()
    if "same device" in text or "expected device" in text:
        return False
    return "meta" in text


def _with_error_of(wrong: Any, expected: Any) -> Any:
    """A typical mistake's answer, given the rounding allowance of the right answer, so
    that the learner's version of the same mistake matches it."""
    if (isinstance(expected, Approx) and isinstance(wrong, torch.Tensor) and wrong.is_floating_point()
            and wrong.shape == expected.shape):
        exact = wrong.detach().double()
        # both the learner's and the check's version of the mistake carry rounding
        error = 2 * expected.error.to(exact.device) + UNIT * exact.abs().nan_to_num(posinf=0, neginf=0)
        return Approx(exact, error, wrong.dtype)
    if isinstance(expected, (tuple, list)) and isinstance(wrong, (tuple, list)) and len(wrong) == len(expected):
        return type(wrong)(_with_error_of(w, e) for w, e in zip(wrong, expected))
    return wrong


def run_check(
    title: str,
    fn: Callable[..., Any],
    cases: Sequence[Case],
    reference: Callable[..., Any],
    compare: Compare,
    mistakes: Sequence[Mistake] = (),
    in_place: int | None = None,
) -> bool:
    """Run ``fn`` on every case, compare with ``reference``, print a report, return a bool.

    This is the engine behind every ``check_*`` function. ``in_place`` is the position
    of the argument that ``fn`` must update in place and return (``add_rows``'s
    table); every other argument must come back unchanged.
    """
    print(f"Checking {title} on {len(cases)} cases")
    skipped = 0
    for case in cases:
        args = _copy(case.args)
        try:
            got = fn(*args)
        except NotImplementedError as error:
            message = _stub_message(title, error)
            if message is not None:
                _say(("… " if message.startswith("not attempted") else f"✗ {case.name}: ") + message)
                return False
            failure: Exception = error
        except Exception as error:  # the learner's code failed: say how (below)
            failure = error
        else:
            failure = None
        if failure is not None:
            if _on_meta(case.args) and _meta_cannot_run(failure):
                skipped += 1
                _say(f"– {case.name}: skipped. A 'meta' tensor has a shape and a device but "
                     f"no values, and your function reads values ({type(failure).__name__}: "
                     f"{failure}); a GPU would run it.")
                continue
            _say(f"✗ {case.name}: your function raised {type(failure).__name__}: {failure}")
            if _on_meta(case.args):
                _say("Hint: this case puts the inputs on the 'meta' device, a stand-in for a "
                     "GPU; make every new tensor on the device of the inputs "
                     "(device=indices.device).", indent=4)
            return False
        if got is None:
            _say(f"✗ {case.name}: your function returned None. "
                 "Did you forget the `return`?")
            return False
        names = _argument_names(fn, len(args))
        for position, (before, after) in enumerate(zip(case.args, args)):
            if position != in_place and not _same(before, after):
                _say(f"✗ {case.name}: {_changed_message(names[position], before)}")
                return False
        if in_place is not None:
            updated = args[in_place]
            if got is not updated:
                if _same(case.args[in_place], updated):
                    _say(f"✗ {case.name}: your function left {names[in_place]} as it was and "
                         f"returned a new tensor. Update {names[in_place]} in place (a method "
                         "with a trailing underscore, such as index_add_, changes the tensor "
                         "it is called on) and return it.")
                    return False
                if not (isinstance(got, torch.Tensor) and got.shape == updated.shape
                        and torch.equal(got, updated)):
                    _say(f"✗ {case.name}: your function changed {names[in_place]} but returned "
                         f"something else; return {names[in_place]} itself.")
                    return False
            got = updated
        expected = reference(*_copy(case.args))
        problem = _compared(compare, got, expected)
        if problem is None:
            _say(f"✓ {case.name}")
            continue
        _say(f"✗ {case.name}: {problem}")
        for mistake in mistakes:
            try:
                wrong = _with_error_of(mistake.make(*_copy(case.args)), expected)
                matches = _compared(compare, got, wrong) is None
            except Exception:  # a mistake that cannot be made on this case is not this one
                matches = False
            if matches:
                _say(f"Hint: {mistake.hint}", indent=4)
                break
        return False
    if skipped:
        print(f"{len(cases) - skipped} of {len(cases)} cases pass; {skipped} could not run "
              "here (see above).")
    else:
        print(f"All {len(cases)} cases pass. Well done!")
    return True


def run_prediction(title: str, prediction: Any, outcomes: Sequence[str], measured: str,
                   evidence: str, hints: Mapping[tuple[str, str], str]) -> bool:
    """Compare a prediction written before an experiment with what the experiment
    measured in this run; print a report, return a bool.

    This is the engine behind the "predict, then run" checks. ``prediction`` is the
    learner's answer, one of ``outcomes`` (case and surrounding spaces do not matter);
    ``None`` or ``...`` is "not attempted yet", and then the measurement is not shown,
    so that it cannot steer the prediction. ``measured`` is the outcome the run gave,
    ``evidence`` the measurement it was read from, and ``hints[predicted, measured]``
    what to say to a wrong prediction.
    """
    print(f"Checking {title}")
    choices = ", ".join(repr(o) for o in outcomes)
    if prediction is None or prediction is Ellipsis:
        _say(f"… not attempted yet: set `prediction` to one of {choices} before you "
             "look at the measurement, then run this cell again.")
        return False
    if not isinstance(prediction, str) or prediction.strip().lower() not in outcomes:
        _say(f"✗ your prediction is {_preview(prediction)}, which is none of the "
             f"outcomes: write one of {choices}.")
        return False
    predicted = prediction.strip().lower()
    _say(f"measured in this run: {evidence}, so {measured!r}.")
    if predicted == measured:
        _say(f"✓ you predicted {predicted!r}: right.")
        print("Well done!")
        return True
    _say(f"✗ you predicted {predicted!r}, but this run measured {measured!r}.")
    hint = hints.get((predicted, measured))
    if hint:
        _say(f"Hint: {hint}", indent=4)
    return False


def _compared(compare: Compare, got: Any, expected: Any) -> str | None:
    """``compare``, with an answer of a form it cannot read reported, not raised."""
    try:
        return compare(got, expected)
    except Exception as error:
        return (f"the check could not read your answer ({type(error).__name__}: {error}); "
                f"it is a {type(got).__name__}: {_preview(got)}.")


def _preview(value: Any) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


def _say(text: str, indent: int = 2) -> None:
    """Print one line of the report, wrapped to fit a notebook's output area."""
    pad = " " * indent
    # break lines at spaces only: "keep-probability" stays one word
    print(textwrap.fill(text, width=72, initial_indent=pad, subsequent_indent=pad + "  ",
                        break_on_hyphens=False))


# --- how values are shown --------------------------------------------------------------


def short_repr(value: Any) -> str:
    """A short, readable form of a scalar for the report."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return f"a tensor of shape {tuple(value.shape)}"
        value = value.item()
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value)


def compare_formula(got: Any, expected: float, operations: int = 8) -> str | None:
    """Compare the number a formula exercise returned with the exact one. A formula is
    asked for, so the tolerance is that of rounding: ``operations`` roundings of float32
    (a tensor of one element and float32 are allowed), so that a constant typed with a
    few digits is off. Returns None when it matches, else what is wrong."""
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, Real):
        return f"expected a number, got {type(got).__name__}: {short_repr(got)}."
    got = float(got)
    allowed = gamma(operations) * abs(expected)
    if not math.isfinite(got) or abs(got - expected) > allowed:
        want, have = two_numbers(expected, got)
        return f"expected {want}, got {have}."
    return None


def two_numbers(expected: float, got: float) -> tuple[str, str]:
    """``expected`` and ``got`` written with as many digits as it takes to tell them
    apart (4 significant digits when they differ there already)."""
    if math.isnan(expected) or math.isnan(got) or math.isinf(expected) or math.isinf(got):
        return f"{expected:.4g}", f"{got:.4g}"
    for digits in range(4, 18):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            return a, b
    return repr(expected), repr(got)


def _differ(expected: float, got: float, allowed: float | None = None) -> str:
    """``expected E, got G``; when the two only part in later digits, also by how much,
    and how much rounding could explain."""
    a, b = two_numbers(expected, got)
    text = f"expected {a}, got {b}"
    close_call = f"{expected:.4g}" == f"{got:.4g}"
    if close_call and math.isfinite(expected) and math.isfinite(got):
        text += f" (off by {abs(got - expected):.2g}"
        text += f", more than rounding explains: {allowed:.2g})" if allowed is not None else ")"
    return text + "."


# --- comparisons ------------------------------------------------------------------------


def compare_tensors(got: Any, expected: torch.Tensor | Approx, atol: float = 1e-6,
                    rtol: float = 1e-5) -> str | None:
    """Compare type, then shape, then dtype, then device, then values.

    ``expected`` is a tensor, compared exactly when it holds integers or booleans and
    within ``atol`` and ``rtol`` otherwise, or an :class:`Approx`, compared within its
    own rounding allowance. Returns ``None`` when they match, else a sentence naming the
    first difference.
    """
    if not isinstance(got, torch.Tensor):
        return f"expected a torch.Tensor, got {type(got).__name__}."
    dtype = expected.dtype
    if got.shape != expected.shape:
        hint = " (it looks transposed)" if got.shape == expected.shape[::-1] and got.dim() == 2 else ""
        return f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}{hint}."
    if got.dtype != dtype:
        return f"expected dtype {dtype}, got {got.dtype}."
    if got.device != expected.device:
        where = (" (the 'meta' device stands in for a GPU here: it has shapes but no values)"
                 if expected.device.type == "meta" else "")
        return (f"expected the result on device {expected.device}, the device of the "
                f"inputs{where}, got {got.device}. Make new tensors with device= the "
                "input's device.")
    if expected.device.type == "meta":
        return None  # no values to compare
    if isinstance(expected, Approx):
        got64 = got.detach().double()
        diff = (got64 - expected.exact).abs()
        close = (diff <= expected.error) | (got64 == expected.exact)
        close |= got64.isnan() & expected.exact.isnan()
        exact, allowed = expected.exact, expected.error
    elif expected.is_floating_point():
        close = torch.isclose(got, expected, atol=atol, rtol=rtol)
        exact, allowed = expected, None
    else:
        close = got == expected
        exact, allowed = expected, None
    if bool(close.all()):
        return None
    where = tuple(int(i) for i in (~close).nonzero()[0]) if exact.dim() else ()
    text = _tensor_differ(exact[where], got[where], None if allowed is None else allowed[where])
    return text if exact.dim() == 0 else f"at index {list(where)}: {text}"


def _tensor_differ(expected: torch.Tensor, got: torch.Tensor, allowed: torch.Tensor | None) -> str:
    if not expected.is_floating_point() and not got.is_floating_point():
        return f"expected {short_repr(expected)}, got {short_repr(got)}."
    return _differ(float(expected), float(got), None if allowed is None else float(allowed))


def _plain(item: Any) -> Any:
    """An item of a list as plain Python values: lists, tuples and numpy arrays all
    become tuples, numpy scalars become Python scalars."""
    if isinstance(item, np.ndarray):
        item = item.tolist()
    if isinstance(item, (list, tuple)):
        return tuple(_plain(x) for x in item)
    if isinstance(item, np.generic):
        return item.item()
    return item


def compare_values(got: Any, expected: list) -> str | None:
    """Compare two lists element by element (pairs of words, examples, ...).

    A list, a tuple and a numpy array holding the same items count as the same item.
    Returns ``None`` when they are equal, else the first difference.
    """
    if not isinstance(got, (list, tuple)):
        return f"expected a list, got {type(got).__name__}."
    for position, (g, e) in enumerate(zip(got, expected)):
        if _plain(g) != _plain(e):
            return f"item {position}: expected {e!r}, got {_preview(g)}."
    if len(got) != len(expected):
        which = "missing" if len(got) < len(expected) else "extra"
        first = expected[len(got)] if len(got) < len(expected) else got[len(expected)]
        return (f"expected {len(expected)} items, got {len(got)}; the first {which} one is "
                f"{_preview(first)}.")
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
