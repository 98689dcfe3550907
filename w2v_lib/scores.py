"""One table of scores for every chapter, over several seeds (chapters 2 to 6).

A chapter that compares two ways of training word vectors should judge them the same
way as every other chapter, and should say how much of a difference is noise. This
module holds that yardstick:

* on the toy corpus, the **partner rank**: for pairs of words that play the same role
  in it (king and queen, cat and dog, paris and madrid, ...), where the partner comes
  in the word's list of neighbours, averaged both ways round (1 is perfect);
* on WikiText, **WS353** and **SimLex** (Spearman correlation with human ratings) and
  the Google **analogies** over the 30,000 most frequent words, as chapter 6 defines
  them (``w2v_lib.evaluation``).

:class:`ScoreTable` collects the scores of several runs of each setting (one run per
seed) and prints the mean and the standard deviation over the seeds, so that a reader
sees at once whether two settings differ by more than their spread.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping

import torch

from gensim.test.utils import datapath

from .evaluation import (SIMLEX999, WORDSIM353, analogy_accuracy, load_word_pairs,
                         similarity_spearman)
from .vectors import WordVectors

__all__ = ["TOY_PARTNERS", "partner_rank", "toy_scores", "wikitext_scores", "scores_of",
           "ScoreTable", "spread_overlaps", "rarer_word_boundary", "rare_and_frequent_scores"]

# Pairs of words that play the same role in the toy corpus of chapter 1.
TOY_PARTNERS: tuple[tuple[str, str], ...] = (
    ("king", "queen"), ("prince", "princess"), ("man", "woman"), ("boy", "girl"),
    ("father", "mother"), ("cat", "dog"), ("kitten", "puppy"), ("paris", "madrid"),
    ("rome", "berlin"), ("france", "spain"), ("italy", "spain"), ("bread", "cheese"),
)


def partner_rank(vectors: WordVectors,
                 pairs: Iterable[tuple[str, str]] = TOY_PARTNERS) -> float:
    """The mean rank of each word's partner among its nearest neighbours, both ways
    round (1 if every partner is the nearest word).

    Introduced in chapter 3; chapters 2 to 4 report it on the toy corpus. Vectors that
    knew nothing would give about half the vocabulary. A word the vectors lack is an
    error that names it.
    """
    pairs = list(pairs)
    if not pairs:
        raise ValueError("partner_rank needs at least one pair of words.")
    for word in {w for pair in pairs for w in pair}:
        vectors.row(word)  # a KeyError that names the word, with close spellings
    unit = vectors.unit
    ranks = []
    for word, partner in pairs + [(b, a) for a, b in pairs]:
        cosines = unit @ unit[vectors.row(word)]
        cosines[vectors.row(word)] = -math.inf  # a word is not its own neighbour
        # the rank of the partner: 1 + the number of words strictly closer
        ranks.append(1 + int((cosines > cosines[vectors.row(partner)]).sum()))
    return sum(ranks) / len(ranks)


def toy_scores(vectors: WordVectors) -> dict[str, float]:
    """The toy corpus's metric: ``{"partner rank": ...}`` (chapters 2 to 4)."""
    return {"partner rank": partner_rank(vectors)}


def wikitext_scores(vectors: WordVectors, analogies: bool = True) -> dict[str, float]:
    """WikiText's metrics: WS353 and SimLex (Spearman), and the share of Google
    analogies answered right over the 30,000 most frequent words (``analogies=False``
    skips them, for vocabularies too small to hold many questions).

    Introduced in chapter 2 as a preview of chapter 6, which explains each benchmark.
    """
    scores = {"WS353": similarity_spearman(vectors, WORDSIM353)[0],
              "SimLex": similarity_spearman(vectors, SIMLEX999)[0]}
    if analogies:
        scores["analogies"] = analogy_accuracy(vectors, restrict_vocab=30_000).accuracy
    return scores


# how each metric prints: decimals, a factor and a unit, and whether lower is better
_FORMATS = {"partner rank": (2, 1, "", True), "WS353": (3, 1, "", False),
            "SimLex": (3, 1, "", False), "analogies": (1, 100, "%", False)}
_DEFAULT_FORMAT = (3, 1, "", False)


class ScoreTable:
    """The scores of several settings, each run with several seeds.

    Introduced in chapter 2. ``table.add("SGNS", {"WS353": 0.31, ...})`` once per run;
    ``print(table)`` shows, for each setting and metric, the mean over its runs and,
    with two runs or more, the standard deviation (``0.312 ± 0.004``).
    """

    def __init__(self) -> None:
        self.runs: dict[str, list[dict[str, float]]] = {}

    def add(self, setting: str, scores: Mapping[str, float]) -> None:
        runs = self.runs.setdefault(setting, [])
        if runs and set(scores) != set(runs[0]):
            raise ValueError(f"{setting!r} was scored on {sorted(runs[0])} before, "
                             f"now on {sorted(scores)}; score every run the same way.")
        runs.append({metric: float(value) for metric, value in scores.items()})

    def metrics(self) -> list[str]:
        names: list[str] = []
        for runs in self.runs.values():
            names += [m for m in runs[0] if m not in names]
        return names

    def values(self, setting: str, metric: str) -> list[float]:
        """Every run's score of ``setting`` on ``metric``."""
        return [run[metric] for run in self.runs[setting]]

    def mean(self, setting: str, metric: str) -> float:
        return statistics.fmean(self.values(setting, metric))

    def std(self, setting: str, metric: str) -> float:
        """The sample standard deviation over the runs (0 for a single run)."""
        values = self.values(setting, metric)
        return statistics.stdev(values) if len(values) > 1 else 0.0

    def __str__(self) -> str:
        metrics = self.metrics()
        seeds = {len(runs) for runs in self.runs.values()}
        cells = [[setting] + [self._cell(setting, m) for m in metrics]
                 for setting in self.runs]
        header = ["", *metrics]
        widths = [max(len(row[k]) for row in [header, *cells])
                  for k in range(len(header))]
        lines = ["  ".join(text.rjust(width) for text, width in zip(row, widths))
                 for row in [header, *cells]]
        runs = "/".join(str(n) for n in sorted(seeds))
        note = f"mean ± standard deviation over {runs} seeds" if max(seeds) > 1 \
            else "one seed"
        lower = [m for m in metrics if _FORMATS.get(m, _DEFAULT_FORMAT)[3]]
        if lower:
            note += f"; lower is better for {', '.join(lower)}"
        return "\n".join(lines + [f"({note})"])

    def _cell(self, setting: str, metric: str) -> str:
        if metric not in self.runs[setting][0]:
            return "-"
        decimals, factor, unit, _ = _FORMATS.get(metric, _DEFAULT_FORMAT)
        mean = f"{self.mean(setting, metric) * factor:.{decimals}f}"
        if len(self.runs[setting]) < 2:
            return mean + unit
        return f"{mean} ± {self.std(setting, metric) * factor:.{decimals}f}{unit}"


def scores_of(model_vectors: torch.Tensor, vocab, *, toy: bool = False,
              analogies: bool = True) -> dict[str, float]:
    """The chapter's metric table row for a trained table ``model_vectors`` (``V x d``)
    and its vocabulary: :func:`toy_scores` on the toy corpus, else
    :func:`wikitext_scores`."""
    vectors = WordVectors.from_model(model_vectors.detach().cpu(), vocab)
    return toy_scores(vectors) if toy else wikitext_scores(vectors, analogies)


def spread_overlaps(table: ScoreTable, a: str, b: str, metric: str) -> bool:
    """Whether settings ``a`` and ``b`` are within one standard deviation of each other
    on ``metric`` (the larger of their two spreads): a difference a chapter must not
    call a result."""
    gap = abs(table.mean(a, metric) - table.mean(b, metric))
    return gap <= max(table.std(a, metric), table.std(b, metric))



# --- rare and frequent words scored apart (chapter 5) -------------------------------

_BENCHMARKS = {"WS353": WORDSIM353, "SimLex": SIMLEX999}


def _rarer_counts(benchmark: str, count: Callable[[str], int]) -> list[tuple[tuple, int]]:
    """The pairs of ``benchmark`` whose two words occur in the corpus, each with the
    count of its rarer word."""
    if benchmark not in _BENCHMARKS:
        raise ValueError(f"benchmark must be one of {', '.join(_BENCHMARKS)}; got {benchmark!r}.")
    pairs = load_word_pairs(datapath(_BENCHMARKS[benchmark]))
    rarer = [(pair, min(count(pair[0]), count(pair[1]))) for pair in pairs]
    return [(pair, n) for pair, n in rarer if n > 0]


def rarer_word_boundary(benchmark: str, count: Callable[[str], int]) -> int:
    """The median, over the pairs of ``benchmark`` ("WS353" or "SimLex") whose words
    both occur in the corpus, of the corpus count of the pair's rarer word.

    Introduced in chapter 5, to score rare and frequent words apart: ``count(word)`` is
    the word's count in the training corpus (``vocab.count``), 0 for a word it lacks.
    """
    counts = sorted(n for _, n in _rarer_counts(benchmark, count))
    if len(counts) < 4:
        raise ValueError(f"only {len(counts)} pairs of {benchmark} have both words in the "
                         "corpus; a split into rare and frequent needs at least 4.")
    return int(statistics.median_low(counts))


def rare_and_frequent_scores(vectors: WordVectors, count: Callable[[str], int],
                             boundaries: Mapping[str, int]) -> dict[str, float]:
    """The Spearman correlation of each benchmark in ``boundaries`` (name to boundary,
    from :func:`rarer_word_boundary`) over its rare pairs (the rarer word occurs at most
    ``boundary`` times in the corpus) and over its frequent pairs (more often), as
    ``{"WS353 rare": ..., "WS353 frequent": ..., ...}``.

    Introduced in chapter 5: the paper's claim for subsampling is about rare words.
    A pair whose words the vectors lack is skipped, as :func:`similarity_spearman` does.
    """
    scores = {}
    for benchmark, boundary in boundaries.items():
        rarer = _rarer_counts(benchmark, count)
        for name, part in (("rare", [p for p, n in rarer if n <= boundary]),
                           ("frequent", [p for p, n in rarer if n > boundary])):
            scores[f"{benchmark} {name}"] = similarity_spearman(vectors, part)[0]
    return scores
