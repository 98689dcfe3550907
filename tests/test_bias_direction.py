"""The gender direction of Bolukbasi et al.: found by PCA of centred pairs, oriented from
the second word to the first, and removed by the neutralise step."""

import pytest
import torch
import torch.nn.functional as F

from w2v_lib.bias_direction import DEFINITIONAL_PAIRS, pair_direction, project, remove_direction
from w2v_lib.vectors import WordVectors


def planted(dim=16, seed=0):
    """Vectors where every pair differs along one planted direction, plus noise."""
    g = torch.Generator().manual_seed(seed)
    direction = F.normalize(torch.randn(dim, generator=g), dim=0)
    words, rows = [], []
    for a, b in DEFINITIONAL_PAIRS:
        middle = F.normalize(torch.randn(dim, generator=g), dim=0)
        words += [a, b]
        rows += [middle + 0.4 * direction + 0.02 * torch.randn(dim, generator=g),
                 middle - 0.4 * direction + 0.02 * torch.randn(dim, generator=g)]
    words += ["nurse", "engineer", "table"]
    rows += [direction + 0.1 * torch.randn(dim, generator=g), -direction + 0.1 * torch.randn(dim, generator=g),
             torch.randn(dim, generator=g)]
    return WordVectors(words, torch.stack(rows)), direction


def test_recovers_the_planted_direction_with_its_sign():
    vectors, direction = planted()
    found, used = pair_direction(vectors)
    assert used == list(DEFINITIONAL_PAIRS)
    assert float(found @ direction) > 0.99  # oriented towards "she"
    lean = project(vectors, ["nurse", "engineer"], found)
    assert lean[0] > 0.3 and lean[1] < -0.3


def test_equals_sklearn_pca_of_the_centred_pairs():
    from sklearn.decomposition import PCA

    vectors, _ = planted(seed=1)
    found, used = pair_direction(vectors)
    unit = vectors.unit.double()
    centred = []
    for a, b in used:
        middle = (unit[vectors.row(a)] + unit[vectors.row(b)]) / 2
        centred += [unit[vectors.row(a)] - middle, unit[vectors.row(b)] - middle]
    # the centred vectors come in +/- pairs, so their mean is 0 and PCA's centring is moot
    component = torch.tensor(PCA(n_components=1).fit(torch.stack(centred).numpy()).components_[0])
    assert abs(float(component.float() @ found)) == pytest.approx(1.0, abs=1e-5)


def test_missing_pairs_are_dropped_and_too_few_is_an_error():
    vectors, _ = planted()
    keep = [w for w in vectors.words if w not in {"gal", "guy", "mary"}]
    smaller = WordVectors(keep, vectors.vectors[[vectors.row(w) for w in keep]])
    _, used = pair_direction(smaller)
    assert ("gal", "guy") not in used and ("mary", "john") not in used and len(used) == 8
    with pytest.raises(ValueError, match="only 1 of the 10 pairs"):
        pair_direction(WordVectors(["she", "he", "x"], torch.randn(3, 4)))


def test_remove_direction_leaves_unit_rows_orthogonal_to_it():
    vectors, direction = planted()
    cleaned = remove_direction(vectors.vectors, direction)
    assert torch.allclose(cleaned @ direction, torch.zeros(len(cleaned)), atol=1e-6)
    assert torch.allclose(cleaned.norm(dim=1), torch.ones(len(cleaned)), atol=1e-6)
    before = vectors.vectors.clone()
    remove_direction(vectors.vectors, direction)
    assert torch.equal(vectors.vectors, before)  # input untouched
    with pytest.raises(ValueError, match="direction must be a vector of 16 numbers"):
        project(vectors, ["nurse"], torch.ones(3))
