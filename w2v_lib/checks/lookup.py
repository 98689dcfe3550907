"""Checks for the exercises: call one on your function and it tells you, case by case,
what is right and what is wrong.

Every check follows the same pattern. It runs your function on cases that go from tiny
to realistic, and compares each answer with a reference implementation: first the
type, shape, dtype and device, then the values. At the first mismatch it prints what it
expected and what it got, with a hint, and returns ``False``. A stub that still raises
``NotImplementedError`` is reported as "not attempted yet". When every case passes it
returns ``True``.

The checks of chapter 1 are ``check_word_to_index``, ``check_one_hot`` and
``check_linear_from_embedding``.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .toy_corpus import load_toy_corpus
from .vocab import UNK, Vocab

__all__ = ["check_word_to_index", "check_one_hot", "check_linear_from_embedding"]

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


def _fmt(value: Any) -> str:
    """A short, readable form of a scalar for the report."""
    if isinstance(value, torch.Tensor):
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
    where = tuple(int(i) for i in (~close).nonzero()[0])
    return f"at index {list(where)}: expected {_fmt(expected[where])}, got {_fmt(got[where])}."


# --- exercise 1.1: the vocabulary as a word -> index dictionary ---------------------


def _reference_word_to_index(tokens: list[str], min_count: int) -> dict[str, int]:
    return Vocab.from_tokens(tokens, min_count=min_count).stoi


def _compare_word_to_index(got: Any, expected: dict[str, int]) -> str | None:
    if not isinstance(got, Mapping):
        return f"expected a dict mapping words to indices, got {type(got).__name__}."
    for word, index in expected.items():
        if word not in got:
            return f"{word!r} is missing; expected {word!r} -> {index}."
        if got[word] != index:
            return f"expected {word!r} -> {index}, got {word!r} -> {_fmt(got[word])}."
    extra = [word for word in got if word not in expected]
    if extra:
        return f"{extra[0]!r} should not be in the vocabulary ({len(extra)} extra word(s) in all)."
    return None


def _mistake_alphabetical(tokens: list[str], min_count: int) -> dict[str, int]:
    words = sorted(w for w in set(tokens) if tokens.count(w) >= min_count)
    return {UNK: 0, **{w: i + 1 for i, w in enumerate(words)}}


def _mistake_no_unk(tokens: list[str], min_count: int) -> dict[str, int]:
    return Vocab.from_tokens(tokens, min_count=min_count, unk=None).stoi


def _mistake_strict_cut(tokens: list[str], min_count: int) -> dict[str, int]:
    # keeps only words seen *more* than min_count times
    try:
        return Vocab.from_tokens(tokens, min_count=min_count + 1).stoi
    except ValueError:
        return {UNK: 0}


def _mistake_first_seen(tokens: list[str], min_count: int) -> dict[str, int]:
    words = [w for w in dict.fromkeys(tokens) if tokens.count(w) >= min_count]
    return {UNK: 0, **{w: i + 1 for i, w in enumerate(words)}}


def check_word_to_index(word_to_index: Callable[[list[str], int], Mapping[str, int]]) -> bool:
    """Check exercise 1.1: ``word_to_index(tokens, min_count)``.

    The answer maps ``'<unk>'`` to 0, then every word seen at least ``min_count`` times
    to 1, 2, ... from the most to the least frequent, ties broken alphabetically.
    """
    toy = [token for sentence in load_toy_corpus() for token in sentence]
    cases = [
        Case("one word, min_count=1", (["cat"], 1)),
        Case("three words in a tie, min_count=1", (["dog", "cat", "bird"], 1)),
        Case("counts decide the order, min_count=1", ("the cat saw the dog and the cat".split(), 1)),
        Case("min_count=2 cuts rare words", ("the cat saw the dog and the cat".split(), 2)),
        Case(f"the toy corpus ({len(toy)} tokens), min_count=3", (toy, 3)),
    ]
    mistakes = [
        Mistake(_mistake_no_unk, "index 0 belongs to '<unk>'; the real words start at 1."),
        Mistake(_mistake_strict_cut, "a word seen exactly min_count times stays: use >=, not >."),
        Mistake(_mistake_alphabetical, "sort by count first (most frequent first); alphabetical order only breaks ties."),
        Mistake(_mistake_first_seen, "order by count, not by where a word first appears; break ties alphabetically."),
    ]
    return run_check("word_to_index", word_to_index, cases, _reference_word_to_index, _compare_word_to_index, mistakes)


# --- exercise 1.2: one-hot vectors -----------------------------------------------------


def _reference_one_hot(indices: torch.Tensor, vocab_size: int) -> torch.Tensor:
    return F.one_hot(indices, vocab_size).float()


def _index_cases() -> list[Case]:
    generator = torch.Generator().manual_seed(0)
    cases = [
        Case("one index, vocabulary of 3", (torch.tensor([1]), 3)),
        Case("the first and the last word, vocabulary of 4", (torch.tensor([0, 3]), 4)),
        Case("a repeated index, vocabulary of 5", (torch.tensor([2, 4, 2]), 5)),
        Case("256 random indices, vocabulary of 5,000",
             (torch.randint(0, 5_000, (256,), generator=generator), 5_000)),
    ]
    if torch.cuda.is_available():
        cases.append(Case("32 indices on the GPU, vocabulary of 100",
                          (torch.randint(0, 100, (32,), generator=generator).cuda(), 100)))
    return cases


def check_one_hot(one_hot: Callable[[torch.Tensor, int], torch.Tensor]) -> bool:
    """Check exercise 1.2: ``one_hot(indices, vocab_size)``.

    The answer is a float32 matrix with one row per index and ``vocab_size`` columns,
    holding a single 1.0 per row in the column of that index, on the indices' device.
    """
    mistakes = [
        Mistake(lambda idx, v: _reference_one_hot(idx, v).T, "one row per index, one column per word in the vocabulary."),
        Mistake(lambda idx, v: F.one_hot(idx, v), "the one-hot vectors should be floats (use .float()), so they can multiply a weight matrix."),
        Mistake(lambda idx, v: F.one_hot((idx + 1) % v, v).float(), "an off-by-one: index i goes in column i, counting from 0."),
        Mistake(lambda idx, v: F.one_hot((idx - 1) % v, v).float(), "an off-by-one: index i goes in column i, counting from 0."),
    ]
    return run_check("one_hot", one_hot, _index_cases(), _reference_one_hot, compare_tensors, mistakes)


# --- exercise 1.3: the same map as an nn.Linear ------------------------------------


def _embedding_cases() -> list[Case]:
    generator = torch.Generator().manual_seed(1)
    sizes = [("a 3-word vocabulary, d=2", 3, 2), ("a 10-word vocabulary, d=4", 10, 4),
             ("a 2,000-word vocabulary, d=50", 2_000, 50)]
    cases = []
    for name, vocab_size, dim in sizes:
        embedding = nn.Embedding(vocab_size, dim)
        with torch.no_grad():
            embedding.weight.copy_(torch.randn(vocab_size, dim, generator=generator))
        cases.append(Case(name, (embedding,)))
    return cases


def _compare_linear(got: Any, expected: nn.Linear) -> str | None:
    if not isinstance(got, nn.Linear):
        return f"expected an nn.Linear, got {type(got).__name__}."
    if (got.in_features, got.out_features) != (expected.in_features, expected.out_features):
        return (f"expected nn.Linear(in_features={expected.in_features}, out_features={expected.out_features}), "
                f"got nn.Linear(in_features={got.in_features}, out_features={got.out_features}).")
    if got.bias is not None:
        return "expected no bias (bias=False): a lookup adds nothing to the row it picks."
    return compare_tensors(got.weight.detach(), expected.weight.detach())


def _reference_linear(embedding: nn.Embedding) -> nn.Linear:
    vocab_size, dim = embedding.weight.shape
    layer = nn.Linear(vocab_size, dim, bias=False)
    with torch.no_grad():
        layer.weight.copy_(embedding.weight.T)
    return layer


def _linear_with(weight: torch.Tensor, embedding: nn.Embedding) -> nn.Linear:
    """An nn.Linear sized for ``embedding`` whose weight is set to ``weight`` as it is."""
    vocab_size, dim = embedding.weight.shape
    layer = nn.Linear(vocab_size, dim, bias=False)
    layer.weight = nn.Parameter(weight.detach().clone())
    return layer


def check_linear_from_embedding(linear_from_embedding: Callable[[nn.Embedding], nn.Linear]) -> bool:
    """Check exercise 1.3: ``linear_from_embedding(embedding)``.

    The answer is an ``nn.Linear`` without bias that maps the one-hot vector of word
    ``i`` to ``embedding.weight[i]``.
    """
    mistakes = [
        Mistake(lambda e: _linear_with(e.weight, e),
                "nn.Linear stores its weight as (out_features, in_features): copy the transpose, embedding.weight.T."),
        Mistake(lambda e: _linear_with(torch.roll(e.weight, 1, dims=0).T, e),
                "an off-by-one: row i of the embedding must come out for the one-hot vector of i."),
    ]
    return run_check("linear_from_embedding", linear_from_embedding, _embedding_cases(),
                     _reference_linear, _compare_linear, mistakes)
