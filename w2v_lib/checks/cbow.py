"""Checks for the exercises of chapter 3: CBOW examples of a sentence, the masked mean
of the context vectors, and the CBOW forward pass."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..cbow import combine_contexts
from ..toy_corpus import load_toy_corpus
from ..windows import cbow_examples
from .engine import Approx, Case, Mistake, compare_tensors, compare_values, run_check
from .rounding import UNIT, gamma
from .skipgram import FOX

__all__ = ["check_sentence_cbow_examples", "check_masked_mean", "check_cbow_scores"]


# --- exercise 3.1: the (contexts, center) examples of a sentence -------------------


def _reference_examples(sentence: list[str], window: int) -> list[tuple[list[str], str]]:
    contexts, mask, centers = cbow_examples(torch.arange(len(sentence)), window)
    return [([sentence[j] for j in row[keep].tolist()], sentence[c])
            for row, keep, c in zip(contexts, mask, centers.tolist())]


def _examples_where(sentence, lo, hi, with_center=False, keep_empty=False):
    examples = []
    for t, center in enumerate(sentence):
        context = [sentence[j] for j in range(t + lo, t + hi + 1)
                   if 0 <= j < len(sentence) and (with_center or j != t)]
        if context or keep_empty:
            examples.append((context, center))
    return examples


def check_sentence_cbow_examples(sentence_cbow_examples: Callable[[list[str], int], list]) -> bool:
    """Check exercise 3.1: ``sentence_cbow_examples(sentence, window)``.

    The answer lists one ``(context_words, center)`` example per position, from left to
    right; ``context_words`` holds the words up to ``window`` positions before and after
    the center, in sentence order, without the center. A position with no context word
    at all (a one-word sentence) gives no example.
    """
    toy = load_toy_corpus()[4]
    cases = [
        Case("two words, window 1", (["hello", "world"], 1)),
        Case("one word: no example", (["alone"], 2)),
        Case("the quick brown fox, window 2", (FOX, 2)),
        Case("a sentence shorter than the window", (["a", "short", "one"], 5)),
        Case(f"a toy-corpus sentence of {len(toy)} words, window 5", (toy, 5)),
    ]
    mistakes = [
        Mistake(lambda s, w: _examples_where(s, -w, w, keep_empty=True),
                "a word with no context at all gives no example: skip it."),
        Mistake(lambda s, w: _examples_where(s, -w, w, with_center=True),
                "the center is what we predict: leave it out of its own context."),
        Mistake(lambda s, w: _examples_where(s, -w + 1, w - 1),
                "a window of w takes the w words on each side, the w-th included."),
    ]
    return run_check("sentence_cbow_examples", sentence_cbow_examples, cases,
                     _reference_examples, compare_values, mistakes)


# --- exercise 3.2: the masked mean of the context vectors --------------------------


def _masked_cases(seed: int, sizes) -> list[Case]:
    generator = torch.Generator().manual_seed(seed)
    cases = []
    for name, batch, slots, dim in sizes:
        mask = torch.rand(batch, slots, generator=generator) < 0.7
        mask[:, slots // 2] = True  # at least one real context word per example
        cases.append(Case(name, (torch.randn(batch, slots, dim, generator=generator), mask)))
    return cases


def _exact_masked_mean(context_vectors: torch.Tensor, mask: torch.Tensor) -> Approx:
    """The masked mean in float64, with the allowance of a float32 answer: a sum of up
    to 2m vectors in any order, then one division."""
    exact = combine_contexts(context_vectors.double(), mask)
    slots = context_vectors.shape[1]
    magnitude = combine_contexts(context_vectors.double().abs(), mask)  # sum |x| / n
    return Approx(exact, gamma(slots + 1) * magnitude + UNIT * exact.abs(), context_vectors.dtype)


def check_masked_mean(masked_mean: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check exercise 3.2: ``masked_mean(context_vectors, mask)`` averages, for every
    example, the context vectors whose mask is True. Shapes: ``(B, 2m, d)`` and
    ``(B, 2m)`` in, ``(B, d)`` out."""
    cases = [Case("one example, all slots real", (torch.tensor([[[1.0, 2.0], [3.0, 6.0]]]), torch.tensor([[True, True]]))),
             Case("one example, one padded slot",
                  (torch.tensor([[[1.0, 2.0], [3.0, 6.0], [50.0, 50.0]]]), torch.tensor([[True, True, False]])))]
    cases += _masked_cases(4, [("8 examples, window 2, d=3", 8, 4, 3), ("1,024 examples, window 5, d=100", 1024, 10, 100)])
    mistakes = [
        Mistake(lambda x, m: (x * m[..., None]).sum(1) / x.shape[1],
                "divide by the number of real context words (mask.sum), not by the number of slots."),
        Mistake(lambda x, m: x.mean(dim=1), "the padded slots must not count: multiply by the mask first."),
        Mistake(lambda x, m: combine_contexts(x, m, mean=False), "that is the sum; the mean divides it by the count."),
    ]
    return run_check("masked_mean", masked_mean, cases, _exact_masked_mean, compare_tensors, mistakes)


# --- exercise 3.3: the CBOW forward pass ---------------------------------------------


def _reference_scores(input_table, output_table, contexts, mask):
    return combine_contexts(input_table[contexts], mask) @ output_table.T


def _exact_scores(input_table, output_table, contexts, mask) -> Approx:
    """The scores in float64, with the allowance of a float32 answer: h = sum / n of
    up to 2m context vectors, then d products per score; or, as it is the same linear
    map, the scores of each context word averaged. Either way each score is a sum of
    at most (2m + 1) d roundings of terms bounded by (sum |x| / n) |u_w|."""
    inputs, outputs = input_table.double(), output_table.double()
    exact = _reference_scores(inputs, outputs, contexts, mask)
    slots, dim = contexts.shape[1], input_table.shape[1]
    magnitude = combine_contexts(inputs[contexts].abs(), mask) @ outputs.abs().T
    return Approx(exact, gamma(slots + dim + 2) * magnitude + UNIT * exact.abs(), input_table.dtype)


def check_cbow_scores(cbow_scores: Callable[..., torch.Tensor]) -> bool:
    """Check exercise 3.3: ``cbow_scores(input_table, output_table, contexts, mask)``
    returns the scores ``u_w . h`` of every word for every example, shape ``(B, V)``,
    where ``h`` is the masked mean of the input vectors of the context words."""
    generator = torch.Generator().manual_seed(5)
    cases = []
    for name, batch, slots, vocab_size, dim in [("one example, V=4, d=2", 1, 2, 4, 2),
                                                 ("6 examples, V=20, d=5", 6, 4, 20, 5),
                                                 ("256 examples, V=3,000, d=50", 256, 10, 3_000, 50)]:
        mask = torch.rand(batch, slots, generator=generator) < 0.7
        mask[:, 0] = True
        cases.append(Case(name, (torch.randn(vocab_size, dim, generator=generator),
                                 torch.randn(vocab_size, dim, generator=generator),
                                 torch.randint(0, vocab_size, (batch, slots), generator=generator), mask)))
    mistakes = [
        Mistake(lambda i, o, c, m: _reference_scores(o, i, c, m),
                "the context words are looked up in the input table; the output table scores the candidates."),
        Mistake(lambda i, o, c, m: combine_contexts(i[c], m, mean=False) @ o.T,
                "h is the mean of the context vectors, not their sum."),
        Mistake(lambda i, o, c, m: i[c].mean(1) @ o.T, "padded slots must not count: use the mask."),
    ]
    return run_check("cbow_scores", cbow_scores, cases, _exact_scores, compare_tensors, mistakes)
