"""The bootstrap interval: the mean it reports, a width that matches the binomial
formula for independent examples, and wider intervals when examples come in groups."""

import math

import numpy as np
import pytest

from w2v_lib.confidence import bootstrap_interval


def test_independent_examples_match_the_normal_approximation():
    rng = np.random.default_rng(0)
    correct = rng.random(1_000) < 0.7
    mean, low, high = bootstrap_interval(correct, resamples=4_000)
    assert mean == correct.mean()
    half = 1.96 * math.sqrt(mean * (1 - mean) / len(correct))
    assert low == pytest.approx(mean - half, abs=0.006) and high == pytest.approx(mean + half, abs=0.006)


def test_groups_widen_the_interval():
    # 40 groups of 25 examples that are all right or all wrong together: the effective
    # sample is 40, not 1,000
    rng = np.random.default_rng(1)
    group_right = rng.random(40) < 0.6
    correct = np.repeat(group_right, 25)
    groups = np.repeat(np.arange(40), 25)
    _, low, high = bootstrap_interval(correct, groups)
    _, low_flat, high_flat = bootstrap_interval(correct)
    assert (high - low) > 4 * (high_flat - low_flat)
    p = group_right.mean()
    assert (high - low) == pytest.approx(2 * 1.96 * math.sqrt(p * (1 - p) / 40), rel=0.2)


def test_seeded_and_differences():
    values = np.array([1, 0, -1, 0, 1, 1, 0, 0])
    assert bootstrap_interval(values, seed=3) == bootstrap_interval(values, seed=3)
    assert bootstrap_interval(np.ones(5)) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(values=[]), "non-empty"),
    (dict(values=[1, 0], level=95), "level must be between 0 and 1"),
    (dict(values=[1, 0], groups=[1]), "one label per value: 1 labels for 2"),
    (dict(values=[1, 0], resamples=0), "resamples must be at least 1"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_interval(**kwargs)
