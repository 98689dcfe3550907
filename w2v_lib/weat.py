"""The Word Embedding Association Test, WEAT (Caliskan, Bryson and Narayanan, 2017), with
its published word lists (chapter 9).

The Implicit Association Test measures how much faster people pair two concepts (say
"flowers" and "pleasant") than two others. WEAT asks the same of word vectors, with
cosine similarity in place of reaction times. With two sets of *target* words X and Y
(flowers, insects) and two sets of *attribute* words A and B (pleasant, unpleasant):

* the association of one word w is ``s(w, A, B) = mean_a cos(w, a) - mean_b cos(w, b)``;
* the test statistic is ``S = sum_x s(x, A, B) - sum_y s(y, A, B)``;
* the effect size is ``d = (mean_x s(x, A, B) - mean_y s(y, A, B)) / std_w s(w, A, B)``,
  the standard deviation taken over all the words w of X and Y together (the sample
  standard deviation, with n - 1: the paper's formula does not say which; with eight
  words a side the two differ by 3%);
* the one-sided p-value is the share of the ways to split X and Y's words into two
  groups of the same sizes whose statistic is at least S: how often a random labelling
  of the targets shows as strong an association as the real one.

The word lists below are those of the paper's supplementary material, lowercased (the
vectors of this course are lowercase). A word missing from the vectors is left out and
reported; the test runs on the words that remain.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .vectors import WordVectors

__all__ = ["WeatTest", "WeatResult", "WEAT_TESTS", "associations", "weat_effect_size",
           "weat_p_value", "weat"]


@dataclass(frozen=True)
class WeatTest:
    """Two sets of target words and two sets of attribute words, with their names.

    Introduced in chapter 9.
    """

    name: str
    x_name: str
    x: tuple[str, ...]
    y_name: str
    y: tuple[str, ...]
    a_name: str
    a: tuple[str, ...]
    b_name: str
    b: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.lower().replace(",", " ").split())


_PLEASANT = _words("caress, freedom, health, love, peace, cheer, friend, heaven, loyal, "
                   "pleasure, diamond, gentle, honest, lucky, rainbow, diploma, gift, honor, "
                   "miracle, sunrise, family, happy, laughter, paradise, vacation")
_UNPLEASANT = _words("abuse, crash, filth, murder, sickness, accident, death, grief, poison, "
                     "stink, assault, disaster, hatred, pollute, tragedy, divorce, jail, "
                     "poverty, ugly, cancer, kill, rotten, vomit, agony, prison")

# Caliskan et al. (2017), supplementary material, tests 1, 6, 7 and 8
WEAT_TESTS: dict[str, WeatTest] = {
    "flowers-insects": WeatTest(
        "WEAT 1: flowers and insects, pleasant and unpleasant",
        "flowers", _words("aster, clover, hyacinth, marigold, poppy, azalea, crocus, iris, "
                          "orchid, rose, bluebell, daffodil, lilac, pansy, tulip, buttercup, "
                          "daisy, lily, peony, violet, carnation, gladiola, magnolia, petunia, "
                          "zinnia"),
        "insects", _words("ant, caterpillar, flea, locust, spider, bedbug, centipede, fly, "
                          "maggot, tarantula, bee, cockroach, gnat, mosquito, termite, beetle, "
                          "cricket, hornet, moth, wasp, blackfly, dragonfly, horsefly, roach, "
                          "weevil"),
        "pleasant", _PLEASANT, "unpleasant", _UNPLEASANT),
    "career-family": WeatTest(
        "WEAT 6: male and female names, career and family",
        "male names", _words("John, Paul, Mike, Kevin, Steve, Greg, Jeff, Bill"),
        "female names", _words("Amy, Joan, Lisa, Sarah, Diana, Kate, Ann, Donna"),
        "career", _words("executive, management, professional, corporation, salary, office, "
                         "business, career"),
        "family", _words("home, parents, children, family, cousins, marriage, wedding, "
                         "relatives")),
    "math-arts": WeatTest(
        "WEAT 7: math and arts, male and female terms",
        "math", _words("math, algebra, geometry, calculus, equations, computation, numbers, "
                       "addition"),
        "arts", _words("poetry, art, dance, literature, novel, symphony, drama, sculpture"),
        "male terms", _words("male, man, boy, brother, he, him, his, son"),
        "female terms", _words("female, woman, girl, sister, she, her, hers, daughter")),
    "science-arts": WeatTest(
        "WEAT 8: science and arts, male and female terms",
        "science", _words("science, technology, physics, chemistry, Einstein, NASA, "
                          "experiment, astronomy"),
        "arts", _words("poetry, art, Shakespeare, dance, literature, novel, symphony, drama"),
        "male terms", _words("brother, father, uncle, grandfather, son, he, his, him"),
        "female terms", _words("sister, mother, aunt, grandmother, daughter, she, hers, her")),
}


def _check_matrices(**matrices: torch.Tensor) -> None:
    dims = set()
    for name, m in matrices.items():
        if not isinstance(m, torch.Tensor) or m.dim() != 2 or len(m) == 0:
            raise ValueError(f"{name} must be a non-empty 2-D tensor of word vectors (one row "
                             f"per word), got {getattr(m, 'shape', type(m).__name__)}.")
        dims.add(m.shape[1])
    if len(dims) > 1:
        raise ValueError(f"the word vectors have different dimensions: "
                         f"{ {n: m.shape[1] for n, m in matrices.items()} }.")


def associations(W: torch.Tensor, A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """``s(w, A, B)`` for every row w of ``W``: its mean cosine with the rows of ``A``
    minus its mean cosine with the rows of ``B``.

    Introduced in chapter 9.
    """
    _check_matrices(W=W, A=A, B=B)
    W, A, B = (F.normalize(m.double(), dim=1) for m in (W, A, B))
    return (W @ A.T).mean(dim=1) - (W @ B.T).mean(dim=1)


def weat_effect_size(X: torch.Tensor, Y: torch.Tensor, A: torch.Tensor,
                     B: torch.Tensor) -> float:
    """WEAT's effect size d: the difference of the mean associations of X and Y, in units
    of the (sample) standard deviation of the associations of all their words.

    Introduced in chapter 9.
    """
    _check_matrices(X=X, Y=Y, A=A, B=B)
    if len(X) + len(Y) < 3:
        raise ValueError("the effect size needs at least three target words in all.")
    s_x, s_y = associations(X, A, B), associations(Y, A, B)
    return float((s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std())


def weat_p_value(X: torch.Tensor, Y: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
                 permutations: int = 100_000, seed: int = 0) -> float:
    """WEAT's one-sided permutation p-value: the share of the splits of X and Y's words
    into groups of sizes ``len(X)`` and ``len(Y)`` whose statistic is at least the
    observed one.

    Introduced in chapter 9. When there are at most ``permutations`` splits they are all
    counted (the exact test: 12,870 for eight words a side); otherwise ``permutations``
    random splits are drawn with ``seed``, and the estimate ``(k + 1) / (n + 1)`` never
    reports a p-value of 0.
    """
    _check_matrices(X=X, Y=Y, A=A, B=B)
    if permutations < 1:
        raise ValueError(f"permutations must be at least 1, got {permutations}.")
    s = torch.cat([associations(X, A, B), associations(Y, A, B)])
    n, k = len(s), len(X)
    total = s.sum()
    observed = 2 * s[:k].sum() - total  # sum over X minus sum over Y
    # a tolerance, so that a split equal to the observed one (itself, above all) counts
    # whatever the order of its additions
    tolerance = 1e-9 * float(s.abs().sum())
    if math.comb(n, k) <= permutations:
        groups = torch.tensor(list(itertools.combinations(range(n), k)), dtype=torch.long)
        stats = 2 * s[groups].sum(dim=1) - total
        return float((stats >= observed - tolerance).double().mean())
    generator = torch.Generator().manual_seed(seed)
    hits = 0
    for start in range(0, permutations, 10_000):
        size = min(10_000, permutations - start)
        groups = torch.rand(size, n, generator=generator).argsort(dim=1)[:, :k]
        stats = 2 * s[groups].sum(dim=1) - total
        hits += int((stats >= observed - tolerance).sum())
    return (hits + 1) / (permutations + 1)


@dataclass(frozen=True)
class WeatResult:
    """The outcome of one WEAT on one set of vectors.

    Introduced in chapter 9.
    """

    test: WeatTest
    effect_size: float
    p_value: float
    found: dict[str, int]
    missing: tuple[str, ...]


def weat(vectors: WordVectors, test: WeatTest, permutations: int = 100_000,
         seed: int = 0, min_words: int = 2) -> WeatResult:
    """Run ``test`` on ``vectors``: effect size and p-value over the words it knows.

    Introduced in chapter 9. A list left with fewer than ``min_words`` known words is
    an error that names the missing words.
    """
    sets, found, missing = {}, {}, []
    for key, name in (("x", test.x_name), ("y", test.y_name), ("a", test.a_name),
                      ("b", test.b_name)):
        words: Sequence[str] = getattr(test, key)
        known = [w for w in words if w in vectors]
        missing += [w for w in words if w not in vectors]
        if len(known) < min_words:
            raise ValueError(f"{test.name}: only {len(known)} of the {len(words)} {name} words "
                             f"are in these vectors (missing: {', '.join(w for w in words if w not in vectors)}); "
                             f"the test needs at least {min_words}.")
        sets[key] = vectors.vectors[[vectors.row(w) for w in known]]
        found[name] = len(known)
    X, Y, A, B = sets["x"], sets["y"], sets["a"], sets["b"]
    return WeatResult(test, weat_effect_size(X, Y, A, B),
                      weat_p_value(X, Y, A, B, permutations=permutations, seed=seed),
                      found, tuple(missing))
