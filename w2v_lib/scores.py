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
from collections.abc import Iterable, Mapping

import torch

from .evaluation import SIMLEX999, WORDSIM353, analogy_accuracy, similarity_spearman
from .vectors import WordVectors

__all__ = ["TOY_PARTNERS", "partner_rank", "toy_scores", "wikitext_scores", "scores_of",
           "ScoreTable", "spread_overlaps"]

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

