"""WEAT against a brute-force reading of Caliskan et al.'s formulas: the association of
one word, the effect size, and the permutation p-value, exact and sampled."""

import itertools
import math
import statistics

import pytest
import torch

from w2v_lib.vectors import WordVectors
from w2v_lib.weat import WEAT_TESTS, associations, weat, weat_effect_size, weat_p_value


def cos(u, v):
    return float(u @ v) / math.sqrt(float(u @ u) * float(v @ v))


def s_brute(w, A, B):
    return statistics.mean(cos(w, a) for a in A) - statistics.mean(cos(w, b) for b in B)


def sets(g, sizes=(8, 8, 8, 8), dim=20, shift=0.6):
    base = torch.randn(dim, generator=g)
    return [torch.randn(n, dim, generator=g, dtype=torch.float64) + s * base
            for n, s in zip(sizes, (shift, -shift, 1.0, -1.0))]


def test_associations_and_effect_size_equal_the_formulas():
    g = torch.Generator().manual_seed(0)
    X, Y, A, B = sets(g, sizes=(5, 7, 4, 6))
    assert torch.allclose(associations(X, A, B), torch.tensor([s_brute(x, A, B) for x in X],
                                                              dtype=torch.float64))
    sx = [s_brute(x, A, B) for x in X]
    sy = [s_brute(y, A, B) for y in Y]
    expected = (statistics.mean(sx) - statistics.mean(sy)) / statistics.stdev(sx + sy)
    assert weat_effect_size(X, Y, A, B) == pytest.approx(expected, rel=1e-12)
    # cosines: lengths do not matter; swapping the targets flips the sign
    assert weat_effect_size(3 * X, Y, A, 0.1 * B) == pytest.approx(expected, rel=1e-12)
    assert weat_effect_size(Y, X, A, B) == pytest.approx(-expected, rel=1e-12)
    # float32 input gives the same value to float32 precision
    assert weat_effect_size(*(m.float() for m in (X, Y, A, B))) == pytest.approx(expected, rel=1e-5)


def p_brute(X, Y, A, B):
    s = [s_brute(w, A, B) for w in torch.cat([X, Y])]
    observed = sum(s[:len(X)]) - sum(s[len(X):])
    stats = []
    for group in itertools.combinations(range(len(s)), len(X)):
        inside = sum(s[i] for i in group)
        stats.append(inside - (sum(s) - inside))
    return sum(st >= observed - 1e-12 for st in stats) / len(stats)


@pytest.mark.parametrize("sizes, shift", [((4, 4, 3, 3), 0.0), ((5, 3, 4, 4), 0.3), ((6, 6, 5, 5), 1.0)])
def test_exact_p_value_equals_brute_force(sizes, shift):
    X, Y, A, B = sets(torch.Generator().manual_seed(1), sizes=sizes, shift=shift)
    assert weat_p_value(X, Y, A, B) == pytest.approx(p_brute(X, Y, A, B), abs=1e-12)


def test_sampled_p_value_is_close_to_the_exact_one():
    X, Y, A, B = sets(torch.Generator().manual_seed(2), shift=0.15)
    exact = weat_p_value(X, Y, A, B)  # 12,870 splits, all counted
    assert 0.001 < exact < 0.5
    sampled = weat_p_value(X, Y, A, B, permutations=5_000, seed=3)
    # a sampled share of 5,000 draws: standard error below 0.0071
    assert abs(sampled - exact) < 4 * math.sqrt(exact * (1 - exact) / 5_000) + 1e-3
    assert sampled != exact  # it did sample
    assert weat_p_value(X, Y, A, B, permutations=5_000, seed=3) == sampled  # seeded


def test_a_strong_association_has_a_tiny_p_value_and_none_a_large_one():
    X, Y, A, B = sets(torch.Generator().manual_seed(4), sizes=(25, 25, 25, 25), shift=3.0)
    p = weat_p_value(X, Y, A, B, permutations=2_000)
    assert p == pytest.approx(1 / 2_001)  # no random split beats the real one
    assert weat_effect_size(X, Y, A, B) > 1.5
    X, Y, A, B = sets(torch.Generator().manual_seed(5), shift=0.0)
    assert weat_p_value(X, Y, A, B) > 0.05


def test_weat_on_word_vectors_reports_missing_words():
    test = WEAT_TESTS["math-arts"]
    words = sorted(set(test.x + test.y + test.a + test.b) - {"calculus", "hers"})
    vectors = WordVectors(words, torch.randn(len(words), 10, generator=torch.Generator().manual_seed(6)))
    result = weat(vectors, test, permutations=1_000)
    assert result.found == {"math": 7, "arts": 8, "male terms": 8, "female terms": 7}
    assert set(result.missing) == {"calculus", "hers"}
    assert -2 <= result.effect_size <= 2 and 0 < result.p_value <= 1
    few = WordVectors(["math", "poetry", "he", "she"], torch.eye(4))
    with pytest.raises(ValueError, match="only 1 of the 8 math words.*missing: algebra"):
        weat(few, test)


def test_the_published_lists():
    sizes = {name: tuple(len(getattr(t, k)) for k in "xyab") for name, t in WEAT_TESTS.items()}
    assert sizes == {"flowers-insects": (25, 25, 25, 25), "career-family": (8, 8, 8, 8),
                     "math-arts": (8, 8, 8, 8), "science-arts": (8, 8, 8, 8)}
    assert all(w == w.lower() for t in WEAT_TESTS.values() for w in t.x + t.y + t.a + t.b)


def test_bad_input():
    X = torch.randn(3, 4)
    with pytest.raises(ValueError, match="different dimensions"):
        weat_effect_size(X, X, X, torch.randn(3, 5))
    with pytest.raises(ValueError, match="Y must be a non-empty 2-D tensor"):
        weat_effect_size(X, torch.randn(0, 4), X, X)
    with pytest.raises(ValueError, match="permutations must be at least 1"):
        weat_p_value(X, X, X, X, permutations=0)
