"""Checks for the exercises of chapter 1: the vocabulary, one-hot vectors, and the
lookup table as a linear layer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from numbers import Integral
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..toy_corpus import load_toy_corpus
from ..vocab import UNK, Vocab
from .engine import Case, Mistake, compare_tensors, run_check, short_repr

__all__ = ["check_word_to_index", "check_one_hot", "check_linear_from_embedding"]


# --- exercise 1.1: the vocabulary as a word -> index dictionary ---------------------


def _reference_word_to_index(tokens: list[str], min_count: int) -> dict[str, int]:
    return Vocab.from_tokens(tokens, min_count=min_count).stoi


def _compare_word_to_index(got: Any, expected: dict[str, int]) -> str | None:
    if not isinstance(got, Mapping):
        return f"expected a dict mapping words to indices, got {type(got).__name__}."
    for word, index in expected.items():
        if word not in got:
            return f"{word!r} is missing; expected {word!r} -> {index}."
        if isinstance(got[word], bool) or not isinstance(got[word], Integral):
            kind = "a tensor" if isinstance(got[word], torch.Tensor) else f"a {type(got[word]).__name__}"
            return (f"expected {word!r} -> {index}, an int, got {kind}: {short_repr(got[word])}. "
                    "Store plain Python ints (int(...)).")
        if got[word] != index:
            return f"expected {word!r} -> {index}, got {word!r} -> {short_repr(got[word])}."
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


def _mistake_reverse_ties(tokens: list[str], min_count: int) -> dict[str, int]:
    # sorted(key=(count, word), reverse=True): the most frequent first, but ties z to a
    words = sorted((w for w in set(tokens) if tokens.count(w) >= min_count),
                   key=lambda w: (tokens.count(w), w), reverse=True)
    return {UNK: 0, **{w: i + 1 for i, w in enumerate(words)}}


def check_word_to_index(word_to_index: Callable[[list[str], int], Mapping[str, int]]) -> bool:
    """Check exercise 1.1: ``word_to_index(tokens, min_count)``.

    The answer maps ``'<unk>'`` to 0, then every word seen at least ``min_count`` times
    to 1, 2, ... from the most to the least frequent, ties broken alphabetically.
    """
    toy = [token for sentence in load_toy_corpus() for token in sentence]
    cases = [
        Case("one word, min_count=1", (["cat"], 1)),
        # in neither alphabetical nor reverse order, so that each wrong order shows
        Case("three words in a tie, min_count=1", (["cat", "dog", "bird"], 1)),
        Case("counts decide the order, min_count=1", ("the cat saw the dog and the cat".split(), 1)),
        Case("min_count=2 cuts rare words", ("the cat saw the dog and the cat".split(), 2)),
        Case(f"the toy corpus ({len(toy)} tokens), min_count=3", (toy, 3)),
    ]
    mistakes = [
        Mistake(_mistake_no_unk, "index 0 belongs to '<unk>'; the real words start at 1."),
        Mistake(_mistake_strict_cut, "a word seen exactly min_count times stays: use >=, not >."),
        Mistake(_mistake_alphabetical, "sort by count first (most frequent first); alphabetical order only breaks ties."),
        Mistake(_mistake_first_seen, "order by count, not by where a word first appears; break ties alphabetically."),
        Mistake(_mistake_reverse_ties, "break ties alphabetically, a before z: reverse=True also reverses "
                                       "the ties. Sort on the key (-count, word) instead."),
    ]
    return run_check("word_to_index", word_to_index, cases, _reference_word_to_index, _compare_word_to_index, mistakes)


# --- exercise 1.2: one-hot vectors -----------------------------------------------------


def _reference_one_hot(indices: torch.Tensor, vocab_size: int) -> torch.Tensor:
    if indices.device.type == "meta":  # F.one_hot reads the values; meta has none
        return torch.empty(len(indices), vocab_size, device="meta")
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
    # without a GPU, the 'meta' device still tells whether the result follows the
    # indices to their device: it has shapes and a device, but no values
    cases.append(Case("3 indices on the 'meta' device, vocabulary of 6",
                      (torch.tensor([5, 0, 2], device="meta"), 6)))
    if torch.cuda.is_available():
        cases.append(Case("32 indices on the GPU, vocabulary of 100",
                          (torch.randint(0, 100, (32,), generator=generator).cuda(), 100)))
    return cases


def check_one_hot(one_hot: Callable[[torch.Tensor, int], torch.Tensor]) -> bool:
    """Check exercise 1.2: ``one_hot(indices, vocab_size)``.

    The answer is a float32 matrix with one row per index and ``vocab_size`` columns,
    holding a single 1.0 per row in the column of that index, on the indices' device.
    Without a GPU, indices on the 'meta' device (shapes, no values) check the device.
    """
    mistakes = [
        Mistake(lambda idx, v: _reference_one_hot(idx, v).T, "one row per index, one column per word in the vocabulary."),
        Mistake(lambda idx, v: F.one_hot(idx, v), "the one-hot vectors should be floats (use .float()), so they can multiply a weight matrix."),
        Mistake(lambda idx, v: F.one_hot((idx + 1) % v, v).float(), "an off-by-one: index i goes in column i, counting from 0."),
        Mistake(lambda idx, v: F.one_hot((idx - 1) % v, v).float(), "an off-by-one: index i goes in column i, counting from 0."),
    ]
    # ones and zeros: a right answer is exact
    return run_check("one_hot", one_hot, _index_cases(), _reference_one_hot,
                     lambda got, expected: compare_tensors(got, expected, atol=0, rtol=0), mistakes)


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
    # the weights are copied, not computed: a right answer is exact
    return compare_tensors(got.weight.detach(), expected.weight.detach(), atol=0, rtol=0)


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
