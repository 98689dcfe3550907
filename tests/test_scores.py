"""The metric table every chapter reports: partner rank, the WikiText scores, and the
mean and spread over seeds."""

from __future__ import annotations

import math

import pytest
import torch

from w2v_lib.scores import (TOY_PARTNERS, ScoreTable, partner_rank, scores_of,
                            spread_overlaps, wikitext_scores)
from w2v_lib.toy_corpus import load_toy_corpus
from w2v_lib.vectors import WordVectors
from w2v_lib.vocab import Vocab


def brute_force_partner_rank(vectors, pairs):
    """The rank of each partner in the full sorted list of neighbours."""
    ranks = []
    for word, partner in list(pairs) + [(b, a) for a, b in pairs]:
        neighbours = [w for w, _ in vectors.most_similar(word, topn=len(vectors) - 1)]
        ranks.append(neighbours.index(partner) + 1)
    return sum(ranks) / len(ranks)


@pytest.fixture
def toy_vectors():
    vocab = Vocab.from_tokens(load_toy_corpus(), min_count=1)
    table = torch.randn(len(vocab), 8, generator=torch.Generator().manual_seed(0))
    return WordVectors.from_model(table, vocab)


def test_partner_rank_equals_the_rank_in_the_sorted_neighbours(toy_vectors):
    assert partner_rank(toy_vectors) == pytest.approx(
        brute_force_partner_rank(toy_vectors, TOY_PARTNERS))


def test_partner_rank_is_one_when_partners_are_nearest():
    words = ["a", "b", "c", "d"]
    table = torch.tensor([[1.0, 0.0], [0.99, 0.1], [0.0, 1.0], [0.1, 0.99]])
    vectors = WordVectors(words, table)
    assert partner_rank(vectors, [("a", "b"), ("c", "d")]) == 1.0
    # swapped partners are the farthest words: rank 3 of 3
    assert partner_rank(vectors, [("a", "c"), ("b", "d")]) == pytest.approx(2.5)


def test_partner_rank_names_an_unknown_word(toy_vectors):
    with pytest.raises(KeyError, match="emperor"):
        partner_rank(toy_vectors, [("king", "emperor")])
    with pytest.raises(ValueError, match="at least one pair"):
        partner_rank(toy_vectors, [])


def test_scores_of_a_model_table():
    vocab = Vocab.from_tokens(load_toy_corpus(), min_count=1)
    table = torch.randn(len(vocab), 8, generator=torch.Generator().manual_seed(0))
    scores = scores_of(table, vocab, toy=True)
    assert scores == {"partner rank": partner_rank(WordVectors.from_model(table, vocab))}


def test_wikitext_scores_on_vectors_that_cover_the_benchmarks():
    from w2v_lib.evaluation import SIMLEX999, WORDSIM353, load_word_pairs
    from gensim.test.utils import datapath

    words = sorted({w for name in (WORDSIM353, SIMLEX999)
                    for a, b, _ in load_word_pairs(datapath(name)) for w in (a, b)})
    table = torch.randn(len(words), 16, generator=torch.Generator().manual_seed(1))
    scores = wikitext_scores(WordVectors(words, table))
    assert set(scores) == {"WS353", "SimLex", "analogies"}
    assert all(math.isfinite(v) for v in scores.values())
    assert abs(scores["WS353"]) < 0.3  # random vectors: no correlation to speak of


def test_the_table_shows_mean_and_spread_over_seeds():
    table = ScoreTable()
    for value in (0.30, 0.32, 0.34):
        table.add("SGNS", {"WS353": value, "analogies": 0.05})
    table.add("softmax", {"WS353": 0.10, "analogies": 0.01})
    assert table.mean("SGNS", "WS353") == pytest.approx(0.32)
    assert table.std("SGNS", "WS353") == pytest.approx(0.02)
    text = str(table)
    assert "0.320 ± 0.020" in text and "5.0 ± 0.0%" in text
    assert "0.100" in text and "1.0%" in text  # one run: no spread
    assert "over 1/3 seeds" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert not spread_overlaps(table, "SGNS", "softmax", "WS353")
    table.add("SGNS, again", {"WS353": 0.31, "analogies": 0.05})
    assert spread_overlaps(table, "SGNS", "SGNS, again", "WS353")


def test_every_run_of_a_setting_is_scored_the_same_way():
    table = ScoreTable()
    table.add("a", {"WS353": 0.1})
    with pytest.raises(ValueError, match="score every run the same way"):
        table.add("a", {"SimLex": 0.1})


# --- rare and frequent words scored apart (chapter 5) ----------------------------------

from w2v_lib.evaluation import load_word_pairs  # noqa: E402
from w2v_lib.scores import rare_and_frequent_scores, rarer_word_boundary  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402


def ws353_corpus():
    """Every WS353 word with a made-up corpus count, and random vectors."""
    pairs = load_word_pairs(datapath("wordsim353.tsv"))
    words = sorted({w for a, b, _ in pairs for w in (a, b)})
    generator = torch.Generator().manual_seed(3)
    counts = dict(zip(words, torch.randint(1, 500, (len(words),), generator=generator).tolist()))
    counts[words[0]] = 0  # a word the corpus lacks
    vectors = WordVectors(words, torch.randn(len(words), 8, generator=generator))
    return pairs, counts, vectors


def test_the_boundary_is_the_median_count_of_the_rarer_word():
    pairs, counts, _ = ws353_corpus()
    rarer = sorted(min(counts[a], counts[b]) for a, b, _ in pairs if counts[a] and counts[b])
    assert rarer_word_boundary("WS353", counts.get) == rarer[(len(rarer) - 1) // 2]


def test_rare_and_frequent_scores_are_spearman_over_each_half():
    pairs, counts, vectors = ws353_corpus()
    boundary = rarer_word_boundary("WS353", counts.get)
    scores = rare_and_frequent_scores(vectors, counts.get, {"WS353": boundary})
    assert set(scores) == {"WS353 rare", "WS353 frequent"}
    for name, keep in (("rare", lambda n: 0 < n <= boundary), ("frequent", lambda n: n > boundary)):
        half = [(a, b, s) for a, b, s in pairs if keep(min(counts[a], counts[b]))]
        cosines = [float(vectors.unit[vectors.row(a)] @ vectors.unit[vectors.row(b)])
                   for a, b, _ in half]
        rho = spearmanr([s for *_, s in half], cosines).statistic
        assert scores[f"WS353 {name}"] == pytest.approx(rho, abs=1e-6)


def test_a_split_needs_pairs_and_a_known_benchmark():
    with pytest.raises(ValueError, match="only 0 pairs of WS353"):
        rarer_word_boundary("WS353", lambda word: 0)
    with pytest.raises(ValueError, match="benchmark must be one of WS353, SimLex"):
        rarer_word_boundary("MEN", lambda word: 1)
