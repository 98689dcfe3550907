"""A direction in the space of word vectors defined by pairs of words, such as the
gender direction of Bolukbasi et al. (2016), and what projecting onto it, or removing
it, does (chapter 9).

Bolukbasi et al. take ten pairs that differ in gender only by definition (she/he,
woman/man, mother/father, ...). Each pair's two vectors are centred on their midpoint;
the first principal component of these centred vectors is the *gender direction* g.
The projection ``cos(w, g)`` of a word that carries no gender by definition (an
occupation, say) then measures how much its vector leans to one side, learnt from the
contexts the word occurs in. Their "hard debiasing" removes that component from such
words. Gonen and Goldberg (2019) showed that this hides the bias from the projection
but not from the geometry: the words that leaned to one side still sit together.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from .vectors import WordVectors

__all__ = ["DEFINITIONAL_PAIRS", "pair_direction", "project", "remove_direction"]

# Bolukbasi et al. (2016): the ten pairs that define the gender direction, (female, male)
DEFINITIONAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("she", "he"), ("her", "his"), ("woman", "man"), ("mary", "john"),
    ("herself", "himself"), ("daughter", "son"), ("mother", "father"), ("gal", "guy"),
    ("girl", "boy"), ("female", "male"))


def pair_direction(vectors: WordVectors, pairs: Sequence[tuple[str, str]] = DEFINITIONAL_PAIRS,
                   min_pairs: int = 2) -> tuple[torch.Tensor, list[tuple[str, str]]]:
    """The unit direction that best separates the two sides of ``pairs``, and the pairs
    it used (those with both words in ``vectors``).

    Introduced in chapter 9. The vectors are scaled to length 1, each pair is centred on
    its midpoint, and the direction is the first principal component of the centred
    vectors, oriented from the second word of the pairs towards the first (for the
    default pairs: from "he" towards "she").
    """
    used = [(a, b) for a, b in pairs if a in vectors and b in vectors]
    if len(used) < min_pairs:
        raise ValueError(f"only {len(used)} of the {len(pairs)} pairs have both words in these "
                         f"vectors ({used}); at least {min_pairs} are needed.")
    unit = vectors.unit.double()
    first = unit[[vectors.row(a) for a, _ in used]]
    second = unit[[vectors.row(b) for _, b in used]]
    middle = (first + second) / 2
    centred = torch.cat([first - middle, second - middle])
    # the first right singular vector: the direction of largest spread (PCA without
    # re-centring, since each pair is centred already)
    direction = torch.linalg.svd(centred, full_matrices=False).Vh[0]
    if float((first - second).sum(dim=0) @ direction) < 0:
        direction = -direction
    return direction.float(), used


def project(vectors: WordVectors, words: Sequence[str], direction: torch.Tensor) -> torch.Tensor:
    """``cos(w, direction)`` for every word: its signed lean along the direction.

    Introduced in chapter 9.
    """
    if direction.dim() != 1 or len(direction) != vectors.dim:
        raise ValueError(f"direction must be a vector of {vectors.dim} numbers, got shape "
                         f"{tuple(direction.shape)}.")
    rows = [vectors.row(w) for w in words]
    return vectors.unit[rows] @ F.normalize(direction.float(), dim=0)


def remove_direction(matrix: torch.Tensor, direction: torch.Tensor) -> torch.Tensor:
    """The rows of ``matrix`` with their component along ``direction`` removed and scaled
    back to length 1: the "neutralise" step of Bolukbasi et al.'s hard debiasing.

    Introduced in chapter 9. Returns a new tensor.
    """
    g = F.normalize(direction.float(), dim=0)
    rows = F.normalize(matrix.float(), dim=1)
    return F.normalize(rows - (rows @ g)[:, None] * g, dim=1)
