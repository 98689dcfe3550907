"""Checks for the exercises of chapter 9: reading a GloVe file, mean pooling over padded
texts, and WEAT's effect size."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from gensim.test.utils import datapath

from ..text_classifier import mean_pool
from ..vectors import WordVectors, load_glove
from ..weat import associations, weat_effect_size
from .engine import Case, Mistake, compare_tensors, run_check, short_repr

__all__ = ["check_read_glove", "check_mean_pool", "check_weat_effect_size"]


def _compare_precisely(got: Any, expected: torch.Tensor, atol: float, rtol: float) -> str | None:
    """:func:`compare_tensors`, but a mismatch of values is printed with enough digits
    to show the difference, however small."""
    problem = compare_tensors(got, expected, atol=atol, rtol=rtol)
    if problem is None or not problem.startswith("at index"):
        return problem
    where = tuple(int(i) for i in (~torch.isclose(got, expected, atol=atol, rtol=rtol)).nonzero()[0])
    return (f"at index {list(where)}: expected {float(expected[where]):.9g}, "
            f"got {float(got[where]):.9g}.")


# --- exercise 9.1: read a GloVe file --------------------------------------------------


def _write(folder: Path, name: str, lines: list[str]) -> str:
    path = folder / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


_FILES: tempfile.TemporaryDirectory | None = None


def _glove_cases() -> list[Case]:
    """The cases' files, written once per session into a folder that is removed when
    Python exits (a case names its file, so the file must outlive the check)."""
    global _FILES
    if _FILES is None:
        _FILES = tempfile.TemporaryDirectory(prefix="w2v-glove-check-")
    folder = Path(_FILES.name)
    g = torch.Generator().manual_seed(91)
    tiny = _write(folder, "tiny.txt", ["the 0.5 -1.25", "cat 2 0.125", "sat -3.5 4"])
    words = [f"w{i}" for i in range(1_997)] + ["café", "naïve", "日本"]
    numbers = torch.randn(len(words), 50, generator=g)
    big = _write(folder, "big.txt", [w + " " + " ".join(f"{x:.6f}" for x in row.tolist())
                                     for w, row in zip(words, numbers)])
    return [Case("3 words, d=2, no limit", (tiny, None)),
            Case("gensim's test_glove.txt, limit=10", (datapath("test_glove.txt"), 10)),
            Case("2,000 words, d=50, accents, limit=1,999", (big, 1_999))]


def _compare_vectors(got: Any, expected: WordVectors) -> str | None:
    if not isinstance(got, WordVectors):
        return (f"expected a WordVectors, got {type(got).__name__} (build one with "
                "WordVectors(words, matrix) or WordVectors.from_keyed_vectors(kv)).")
    if len(got) != len(expected):
        return (f"expected {len(expected):,} words, got {len(got):,} (first words: "
                f"{got.words[:3]}).")
    for position, (g, e) in enumerate(zip(got.words, expected.words)):
        if g != e:
            return f"word {position}: expected {e!r}, got {g!r}."
    return _compare_precisely(got.vectors, expected.vectors, atol=1e-6, rtol=1e-6)


def check_read_glove(load: Callable[[str, int | None], WordVectors]) -> bool:
    """Check exercise 9.1: ``load(path, limit)`` reads a GloVe text file (no header line:
    every line is a word and its numbers) into a ``WordVectors``, keeping the first
    ``limit`` words (all of them when ``limit`` is None)."""
    def with_header(path, limit):  # the first line taken for a "<count> <dim>" header
        vectors = load_glove(path, None if limit is None else limit + 1)
        return WordVectors(vectors.words[1:], vectors.vectors[1:])

    def unlimited(path, limit):
        return load_glove(path)

    def one_short(path, limit):
        vectors = load_glove(path, limit)
        return WordVectors(vectors.words[:-1], vectors.vectors[:-1]) if len(vectors) > 1 else vectors

    mistakes = [
        Mistake(with_header, "a GloVe file has no header: its first line is already a word "
                             "and its vector. (gensim: no_header=True.)"),
        Mistake(unlimited, "keep only the first `limit` words when limit is not None."),
        Mistake(one_short, "`limit` words means words 0 to limit - 1: one more than you kept."),
    ]

    def explained(path, limit):
        try:
            return load(path, limit)
        except ValueError as error:
            if "invalid literal for int()" in str(error):
                raise ValueError(f"{error}. The first line of a GloVe file is a word and its "
                                 "numbers, not a '<count> <dim>' header: with gensim, pass "
                                 "no_header=True.") from error
            raise

    return run_check("read_glove", explained, _glove_cases(), load_glove, _compare_vectors,
                     mistakes)


# --- exercise 9.2: mean pooling over padded texts ---------------------------------------


def _pool_cases() -> list[Case]:
    g = torch.Generator().manual_seed(92)
    # padding index 0 is a real word here, with a vector far from the others
    table = torch.tensor([[10.0, 10.0, 10.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0],
                          [0.0, 0.0, 3.0], [1.0, 1.0, 1.0]])
    cases = [Case("2 texts of 3 and 1 words, padded with word 0",
                  (table, torch.tensor([[1, 2, 3], [4, 0, 0]]), torch.tensor([3, 1])))]
    for name, n_texts, longest, vocab, dim in [("50 texts, up to 30 words, d=20", 50, 30, 1_000, 20),
                                               ("512 texts, up to 300 words, d=100", 512, 300, 20_000, 100)]:
        lengths = torch.randint(1, longest + 1, (n_texts,), generator=g)
        lengths[0] = longest
        ids = torch.randint(1, vocab, (n_texts, longest), generator=g)
        ids[torch.arange(longest)[None, :] >= lengths[:, None]] = 0
        cases.append(Case(name, (torch.randn(vocab, dim, generator=g), ids, lengths)))
    return cases


def check_mean_pool(pool: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check exercise 9.2: ``pool(table, padded_ids, lengths)`` returns, for every row of
    the ``(texts, longest)`` tensor ``padded_ids``, the mean of the vectors (rows of
    ``table``) of its first ``lengths[i]`` words; the padding after them never counts."""
    def with_padding(table, ids, lengths):
        return table[ids].mean(dim=1)

    def by_longest(table, ids, lengths):
        real = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        return (table[ids] * real[..., None]).sum(dim=1) / ids.shape[1]

    def padding_summed(table, ids, lengths):
        return table[ids].sum(dim=1) / lengths[:, None]

    def summed(table, ids, lengths):
        real = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        return (table[ids] * real[..., None]).sum(dim=1)

    mistakes = [
        Mistake(with_padding, "the mean counts the padding: average only the first "
                              "lengths[i] positions of each row."),
        Mistake(padding_summed, "the padding's vectors are in the sum: mask them out before "
                                "dividing by the lengths."),
        Mistake(by_longest, "divide by each text's length, not by the longest one."),
        Mistake(summed, "that is the sum of the vectors; divide it by the lengths."),
    ]
    return run_check("mean_pool", pool, _pool_cases(), mean_pool,
                     lambda got, exp: _compare_precisely(got, exp, atol=1e-5, rtol=1e-5), mistakes)


# --- exercise 9.3: WEAT's effect size ---------------------------------------------------


def _weat_cases() -> list[Case]:
    g = torch.Generator().manual_seed(93)
    # two words per set in 2-D, lengths other than 1: cosines, not dot products
    tiny = (torch.tensor([[2.0, 0.1], [3.0, 1.0]]), torch.tensor([[0.1, 1.0], [1.0, 4.0]]),
            torch.tensor([[1.0, 0.0], [4.0, 1.0]]), torch.tensor([[0.0, 5.0], [-1.0, 2.0]]))
    cases = [Case("2 words per set, d=2", tiny)]
    base = torch.randn(1, 50, generator=g)
    eight = tuple(torch.randn(8, 50, generator=g) + shift * base
                  for shift in (0.5, -0.5, 1.0, -1.0))
    cases.append(Case("8 words per set, d=50 (WEAT 6 to 8)", eight))
    sizes = (25, 25, 25, 25)
    cases.append(Case("25 words per set, d=300, float32 (WEAT 1)",
                      tuple(torch.randn(n, 300, generator=g) * torch.rand(n, 1, generator=g) * 3
                            for n in sizes)))
    return cases


def _compare_effect(got: Any, expected: float) -> str | None:
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, float):
        return f"expected a float, got {short_repr(got) if isinstance(got, torch.Tensor) else type(got).__name__}."
    # float32 cosines carry errors of about 1e-7; the effect size divides differences of
    # means of such cosines by their spread, so a relative 1e-4 is ample
    if abs(got - expected) <= 1e-4 * max(1.0, abs(expected)):
        return None
    # enough digits to show any difference beyond the tolerance
    digits = max(5, 2 - int(math.floor(math.log10(max(abs(got - expected), 1e-300)))))
    return f"expected {expected:.{digits}f}, got {got:.{digits}f}."


def check_weat_effect_size(effect_size: Callable[..., float]) -> bool:
    """Check exercise 9.3: ``effect_size(X, Y, A, B)`` returns WEAT's effect size as a
    float: the difference of the mean associations ``s(w, A, B)`` of the rows of X and
    of Y, divided by the sample standard deviation of the associations of all the rows
    of X and Y together, with cosine similarities."""
    def s(W, A, B):
        return associations(W, A, B)

    def population(X, Y, A, B):
        both = torch.cat([s(X, A, B), s(Y, A, B)])
        return float((s(X, A, B).mean() - s(Y, A, B).mean()) / both.std(correction=0))

    def pooled(X, Y, A, B):  # Cohen's d: the spread within each group, pooled
        sx, sy = s(X, A, B), s(Y, A, B)
        spread = (((len(sx) - 1) * sx.var() + (len(sy) - 1) * sy.var()) / (len(sx) + len(sy) - 2)).sqrt()
        return float((sx.mean() - sy.mean()) / spread)

    def x_only(X, Y, A, B):
        return float((s(X, A, B).mean() - s(Y, A, B).mean()) / s(X, A, B).std())

    def unscaled(X, Y, A, B):
        return float(s(X, A, B).mean() - s(Y, A, B).mean())

    def dot_products(X, Y, A, B):
        def s_dot(W):
            return (W.double() @ A.double().T).mean(1) - (W.double() @ B.double().T).mean(1)
        both = torch.cat([s_dot(X), s_dot(Y)])
        return float((s_dot(X).mean() - s_dot(Y).mean()) / both.std())

    mistakes = [
        Mistake(pooled, "divide by the standard deviation of all the associations of X and "
                        "Y together, not by the spread within each group pooled."),
        Mistake(population, "use the sample standard deviation (n - 1), as torch.std does by "
                            "default (numpy.std needs ddof=1)."),
        Mistake(x_only, "the standard deviation is over the words of X and Y together, not "
                        "X alone."),
        Mistake(unscaled, "divide the difference of the means by the standard deviation of "
                          "the associations."),
        Mistake(dot_products, "use cosine similarities: scale the vectors to length 1 first."),
        Mistake(lambda X, Y, A, B: -weat_effect_size(X, Y, A, B),
                "the sign: it is X's mean association minus Y's."),
    ]
    return run_check("weat_effect_size", effect_size,
                     _weat_cases(), weat_effect_size, _compare_effect, mistakes)

