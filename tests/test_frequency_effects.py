"""w2v_lib.frequency_effects against brute force: the correlation of count and length,
and per band the median length and the median count of the nearest neighbours."""

import statistics
from collections import Counter

import pytest
import torch
from scipy.stats import spearmanr

from w2v_lib.frequency_effects import BANDS, frequency_effects, length_outcome
from w2v_lib.vectors import WordVectors


def random_vectors(counts, dim=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    words = list(counts)
    # the length grows with the count, plus noise
    vectors = torch.randn(len(words), dim, generator=g)
    scale = torch.tensor([counts[w] ** 0.5 for w in words]) * (1 + 0.3 * torch.rand(len(words), generator=g))
    return WordVectors(words, vectors / vectors.norm(dim=1, keepdim=True) * scale[:, None])


def make_counts(n=400, seed=1):
    g = torch.Generator().manual_seed(seed)
    raw = (5 + (torch.rand(n, generator=g) ** 4) * 3_000).long().tolist()
    return Counter({f"w{i}": c for i, c in enumerate(sorted(raw, reverse=True))})


def brute_neighbour_counts(vectors, counts, words, topn):
    found = []
    for word in words:
        v = vectors[word]
        others = [(float(v @ vectors[o] / (v.norm() * vectors[o].norm())), o)
                  for o in vectors.words if o != word]
        others.sort(reverse=True)
        found += [counts[o] for _, o in others[:topn]]
    return statistics.median(found)


def test_against_brute_force():
    counts = make_counts()
    vectors = random_vectors(counts)
    effects = frequency_effects(vectors, counts, topn=5, sample=10_000)
    lengths = [float(vectors[w].norm()) for w in vectors.words]
    assert effects.spearman == pytest.approx(
        spearmanr([counts[w] for w in vectors.words], lengths).statistic, abs=1e-12)
    assert effects.outcome == "longer"
    assert len(effects.bands) == len(BANDS)
    for band, (low, high) in zip(effects.bands, BANDS):
        inside = [w for w in vectors.words if counts[w] >= low and (high is None or counts[w] < high)]
        assert band.words == len(inside) > 0
        assert band.median_length == pytest.approx(
            statistics.median(float(vectors[w].norm()) for w in inside), rel=1e-6)
        assert band.median_neighbour_count == brute_neighbour_counts(vectors, counts, inside, 5)


def test_a_sample_of_a_band_is_seeded_and_at_most_the_size_asked():
    counts = make_counts()
    vectors = random_vectors(counts)
    a = frequency_effects(vectors, counts, sample=20, seed=3)
    b = frequency_effects(vectors, counts, sample=20, seed=3)
    assert a == b
    # the sample changes the neighbours' counts, never the words or lengths of a band
    c = frequency_effects(vectors, counts, sample=20, seed=4)
    assert [x.words for x in a.bands] == [x.words for x in c.bands]
    assert [x.median_length for x in a.bands] == [x.median_length for x in c.bands]


def test_shorter_and_unrelated():
    counts = make_counts()
    shorter = WordVectors(list(counts), torch.stack(
        [torch.full((4,), 1.0 / counts[w]) for w in counts]))
    assert frequency_effects(shorter, counts).outcome == "shorter"
    g = torch.Generator().manual_seed(0)
    flat = WordVectors(list(counts), torch.randn(len(counts), 4, generator=g))
    effects = frequency_effects(flat, counts)
    assert abs(effects.spearman) <= 0.1 and effects.outcome == "unrelated"


def test_a_band_without_words_is_left_out_and_the_table_prints():
    counts = Counter({f"w{i}": 5 + i for i in range(40)})  # 5 to 44 occurrences
    effects = frequency_effects(random_vectors(counts), counts)
    assert [b.name for b in effects.bands] == ["5-9", "10-99"]
    lines = str(effects).splitlines()
    assert lines[0].split() == ["occurrences", "words", "median", "length", "neighbours:",
                                "median", "count"]
    assert lines[1].split()[:2] == ["5-9", "5"] and lines[2].split()[:2] == ["10-99", "35"]
    assert max(len(line) for line in lines) <= 80


def test_a_word_without_a_count_is_an_error_that_names_it():
    counts = make_counts(50)
    vectors = random_vectors(counts)
    del counts["w7"]
    with pytest.raises(KeyError, match="no count for 1 of the words of the vectors, such as 'w7'"):
        frequency_effects(vectors, counts)


@pytest.mark.parametrize("rho, outcome", [(0.5, "longer"), (-0.5, "shorter"), (0.1, "unrelated"),
                                          (-0.1, "unrelated"), (0.10001, "longer")])
def test_length_outcome(rho, outcome):
    assert length_outcome(rho) == outcome
