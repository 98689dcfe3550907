"""Pair and context generation against brute force, on random sentences and windows."""

import random

import pytest
import torch

from w2v_lib.windows import cbow_examples, expected_pairs, skipgram_pairs, stream_from_sentences


def brute_force_pairs(sentences, window):
    """Every (center, context) couple, one sentence at a time, with plain loops."""
    pairs = []
    for sentence in sentences:
        for t, center in enumerate(sentence):
            for j in range(t - window, t + window + 1):
                if j != t and 0 <= j < len(sentence):
                    pairs.append((center, sentence[j]))
    return pairs


def brute_force_cbow(sentences, window):
    examples = []
    for sentence in sentences:
        for t, center in enumerate(sentence):
            context = [sentence[j] for j in range(t - window, t + window + 1) if j != t and 0 <= j < len(sentence)]
            if context:
                examples.append((context, center))
    return examples


def random_sentences(rng, count=8, vocab_size=20):
    return [[rng.randrange(vocab_size) for _ in range(rng.randint(0, 12))] for _ in range(count)] + [[1, 2]]


def test_the_quick_brown_fox():
    words = "the quick brown fox jumps over the lazy dog".split()
    ids = torch.arange(len(words))
    centers, contexts = skipgram_pairs(ids, window=2)
    pairs = [(words[c], words[o]) for c, o in zip(centers.tolist(), contexts.tolist())]
    assert pairs[:5] == [("the", "quick"), ("the", "brown"), ("quick", "the"), ("quick", "brown"), ("quick", "fox")]
    # two words at each end have fewer neighbours: 9 words x 4 - (2 + 1) x 2 = 30
    assert len(pairs) == 30


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("window", [1, 2, 3, 5])
def test_skipgram_pairs_equal_brute_force(seed, window):
    sentences = random_sentences(random.Random(seed))
    ids, sentence = stream_from_sentences(sentences)
    centers, contexts = skipgram_pairs(ids, window, sentence)
    assert list(zip(centers.tolist(), contexts.tolist())) == brute_force_pairs(sentences, window)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("window", [1, 2, 4])
def test_cbow_examples_equal_brute_force(seed, window):
    sentences = random_sentences(random.Random(seed))
    ids, sentence = stream_from_sentences(sentences)
    contexts, mask, centers = cbow_examples(ids, window, sentence)
    got = [(row[keep].tolist(), c) for row, keep, c in zip(contexts, mask, centers.tolist())]
    assert got == brute_force_cbow(sentences, window)
    assert contexts.shape == mask.shape == (len(centers), 2 * window)
    assert bool((contexts[~mask] == 0).all())


def test_chunking_gives_the_same_pairs(monkeypatch):
    import w2v_lib.windows as windows

    rng = random.Random(0)
    sentences = [[rng.randrange(50) for _ in range(rng.randint(1, 30))] for _ in range(40)]
    ids, sentence = stream_from_sentences(sentences)
    whole = skipgram_pairs(ids, 3, sentence)
    monkeypatch.setattr(windows, "_CHUNK", 7)  # chunk edges fall inside windows
    chunked = skipgram_pairs(ids, 3, sentence)
    assert all(torch.equal(a, b) for a, b in zip(whole, chunked))


def test_reduced_window_is_a_subset_with_the_right_distance_weights():
    ids = torch.randint(0, 1000, (200_000,), generator=torch.Generator().manual_seed(0))
    window = 4
    full_c, full_o = skipgram_pairs(ids, window)
    centers, contexts = skipgram_pairs(ids, window, reduced=True, generator=torch.Generator().manual_seed(1))
    assert len(centers) < len(full_c)
    # recover distances with positions as ids: use a stream of distinct positions
    positions = torch.arange(200_000)
    c, o = skipgram_pairs(positions, window, reduced=True, generator=torch.Generator().manual_seed(1))
    distance = (o - c).abs()
    kept = torch.bincount(distance, minlength=window + 1)[1:].double()
    expected = torch.tensor([(window - k + 1) / window for k in range(1, window + 1)], dtype=torch.double)
    # each distance, both sides, appears (about) 2 * n * P(kept) times
    assert torch.allclose(kept / (2 * len(positions)), expected, atol=0.01)


def test_same_seed_same_pairs():
    ids = torch.arange(1000) % 37
    a = skipgram_pairs(ids, 5, reduced=True, generator=torch.Generator().manual_seed(3))
    b = skipgram_pairs(ids, 5, reduced=True, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(x, y) for x, y in zip(a, b))


def test_all_of_wikitext_2_sized_stream_is_fast_enough_to_be_vectorized():
    # 2 million tokens; a Python loop would take minutes, the vectorized code seconds
    ids = torch.randint(0, 30_000, (2_000_000,), generator=torch.Generator().manual_seed(0))
    centers, contexts = skipgram_pairs(ids, 5, reduced=True, generator=torch.Generator().manual_seed(0))
    assert 10_000_000 < len(centers) < 14_000_000


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize("window", [0, -1, 1.5])
def test_window_below_one_is_an_error(window):
    with pytest.raises(ValueError, match="window must be a whole number of at least 1"):
        skipgram_pairs(torch.arange(5), window)


def test_sentences_shorter_than_the_window_give_what_they_can():
    ids, sentence = stream_from_sentences([[1], [2, 3], [4]])
    centers, contexts = skipgram_pairs(ids, 5, sentence)
    assert list(zip(centers.tolist(), contexts.tolist())) == [(2, 3), (3, 2)]
    assert cbow_examples(ids, 5, sentence)[2].tolist() == [2, 3]  # one-word sentences are skipped


def test_empty_input_is_a_clear_error():
    with pytest.raises(ValueError, match="stream of word indices is empty"):
        skipgram_pairs(torch.tensor([], dtype=torch.int64), 2)
    with pytest.raises(ValueError, match="corpus is empty"):
        stream_from_sentences([[], []])


def test_mismatched_sentence_numbers_are_an_error():
    with pytest.raises(ValueError, match="one sentence number per token"):
        skipgram_pairs(torch.arange(5), 2, sentence=torch.zeros(4, dtype=torch.int64))


@pytest.mark.parametrize("window", [1, 2, 5])
def test_expected_pairs_of_the_full_window_count_them_exactly(window):
    for length in range(0, 15):
        sentence = list(range(length))
        assert expected_pairs(length, window, reduced=False) == len(brute_force_pairs([sentence], window))


def test_expected_pairs_of_the_reduced_window_is_the_mean_over_draws():
    """Summed over many sentences of mixed lengths, the pairs skipgram_pairs draws
    with the reduced window average out to the sum of expected_pairs; the tolerance is
    five standard deviations of that sum (each center draws its size on its own)."""
    rng = random.Random(0)
    lengths = [rng.randint(1, 14) for _ in range(20_000)]
    ids, sentence = stream_from_sentences([list(range(n)) for n in lengths])
    window = 5
    drawn = len(skipgram_pairs(ids, window, sentence, reduced=True,
                               generator=torch.Generator().manual_seed(0))[0])
    predicted = sum(expected_pairs(n, window) for n in lengths)
    # a center draws at most 2 * window pairs: its count varies by at most window around its mean
    assert abs(drawn - predicted) < 5 * window * len(ids) ** 0.5
    assert abs(drawn - predicted) < 0.01 * predicted


def test_expected_pairs_far_from_the_ends_is_window_plus_one_per_word():
    for window in (1, 2, 5, 10):
        per_word = expected_pairs(10_001, window) - expected_pairs(10_000, window)
        assert per_word == pytest.approx(window + 1)


@pytest.mark.parametrize("length, window", [(-1, 5), (3.0, 5), (True, 5), (4, 0), (4, 1.5)])
def test_expected_pairs_refuses_what_is_not_a_sentence_length_or_a_window(length, window):
    with pytest.raises(ValueError):
        expected_pairs(length, window)
