"""Co-occurrence counts against a brute-force count, position by position."""

import numpy as np
import pytest
import torch

from w2v_lib.cooccurrence import cooccurrence_counts, window_weights
from w2v_lib.subsampling import keep_probabilities, subsample


def brute_force(ids, sentence, vocab_size, window, weighting="word2vec"):
    """For every token and every other token of its sentence within the window,
    add the weight of their distance: a double loop over positions."""
    weight = {"word2vec": lambda k: (window - k + 1) / window,
              "uniform": lambda k: 1.0, "harmonic": lambda k: 1.0 / k}[weighting]
    counts = np.zeros((vocab_size, vocab_size))
    ids, sentence = ids.tolist(), sentence.tolist()
    for i in range(len(ids)):
        for j in range(len(ids)):
            k = abs(i - j)
            if 1 <= k <= window and sentence[i] == sentence[j]:
                counts[ids[i], ids[j]] += weight(k)
    return counts


def random_corpus(seed, tokens=400, vocab_size=30, sentences=12):
    g = torch.Generator().manual_seed(seed)
    # Zipf-like word draws, so that some pairs repeat many times
    probs = 1.0 / torch.arange(1, vocab_size + 1, dtype=torch.float64)
    ids = torch.multinomial(probs, tokens, replacement=True, generator=g)
    sentence = torch.sort(torch.randint(0, sentences, (tokens,), generator=g)).values
    return ids, sentence


def test_a_tiny_stream_by_hand():
    # "a b a c" in one sentence, window 2, word2vec weights: distance 1 counts 1,
    # distance 2 counts 1/2
    ids, sentence = torch.tensor([0, 1, 0, 2]), torch.zeros(4, dtype=torch.int64)
    counts = cooccurrence_counts(ids, sentence, 3, 2).toarray()
    expected = np.array([[1.0, 2.0, 1.0],   # a-a at distance 2, seen from both ends
                         [2.0, 0.0, 0.5],   # b-c at distance 2
                         [1.0, 0.5, 0.0]])  # a-c: only the second a is near c
    assert np.allclose(counts, expected)


@pytest.mark.parametrize("weighting", ["word2vec", "uniform", "harmonic"])
@pytest.mark.parametrize("window", [1, 2, 5])
def test_equals_the_brute_force_count(weighting, window):
    ids, sentence = random_corpus(window)
    got = cooccurrence_counts(ids, sentence, 30, window, weighting=weighting)
    assert got.shape == (30, 30) and got.dtype == np.float64
    assert np.allclose(got.toarray(), brute_force(ids, sentence, 30, window, weighting),
                       rtol=1e-12, atol=1e-12)


def test_small_chunks_give_the_same_counts():
    ids, sentence = random_corpus(7)
    whole = cooccurrence_counts(ids, sentence, 30, 5).toarray()
    # chunks shorter than the window: pairs that straddle chunk ends must not be lost
    for chunk in [1, 3, 17]:
        assert np.allclose(cooccurrence_counts(ids, sentence, 30, 5,
                                               chunk_tokens=chunk).toarray(), whole)


def test_no_sentences_means_one_long_sentence():
    ids, _ = random_corpus(3)
    one = torch.zeros(len(ids), dtype=torch.int64)
    assert np.allclose(cooccurrence_counts(ids, None, 30, 3).toarray(),
                       brute_force(ids, one, 30, 3))


def test_the_total_is_the_expected_number_of_pairs():
    # with word2vec weights, a center far from sentence ends has sum_k 2(m-k+1)/m =
    # m + 1 expected contexts: the reduced window's (m + 1) / 2 per side
    ids = torch.arange(1000) % 7
    counts = cooccurrence_counts(ids, None, 7, 5)
    inner = 1000 - 2 * 5
    edges = 2 * sum(sum((5 - k + 1) / 5 for k in range(1, 6) if k <= j)
                    + sum((5 - k + 1) / 5 for k in range(1, 6)) for j in range(5))
    assert counts.sum() == pytest.approx(inner * 6 + edges)


def test_subsampled_passes_count_on_the_kept_tokens():
    ids, sentence = random_corpus(11)
    keep = keep_probabilities(torch.bincount(ids, minlength=30), 0.02)
    got = cooccurrence_counts(ids, sentence, 30, 3, keep_prob=keep, passes=2,
                              generator=torch.Generator().manual_seed(5))
    # the same two draws by hand, windows on the kept tokens only (they reach further)
    g = torch.Generator().manual_seed(5)
    expected = np.zeros((30, 30))
    for _ in range(2):
        kept = subsample(ids, keep, g)
        expected += brute_force(ids[kept], sentence[kept], 30, 3)
    assert np.allclose(got.toarray(), expected)
    assert 0 < got.sum() < 2 * brute_force(ids, sentence, 30, 3).sum()


def test_window_weights():
    assert np.allclose(window_weights(4), [1.0, 0.75, 0.5, 0.25])
    assert np.allclose(window_weights(3, "harmonic"), [1.0, 0.5, 1 / 3])
    assert np.allclose(window_weights(2, "uniform"), [1.0, 1.0])


@pytest.mark.parametrize("call, message", [
    (lambda: cooccurrence_counts(torch.tensor([], dtype=torch.int64), None, 3, 2),
     "corpus is empty"),
    (lambda: cooccurrence_counts(torch.tensor([0, 5]), None, 3, 2), "must lie in 0..2"),
    (lambda: cooccurrence_counts(torch.tensor([0, -1]), None, 3, 2), "holds -1"),
    (lambda: cooccurrence_counts(torch.tensor([[0, 1]]), None, 3, 2), "1-D tensor"),
    (lambda: cooccurrence_counts(torch.tensor([0.0, 1.0]), None, 3, 2), "integer word"),
    (lambda: cooccurrence_counts(torch.tensor([0, 1]), torch.tensor([0]), 3, 2),
     "one sentence number per token"),
    (lambda: cooccurrence_counts(torch.tensor([0, 1]), None, 3, 0), "window must be"),
    (lambda: cooccurrence_counts(torch.tensor([0, 1]), None, 3, 2, weighting="glove"),
     "weighting must be one of"),
    (lambda: cooccurrence_counts(torch.tensor([0, 1]), None, 3, 2,
                                 keep_prob=torch.ones(2)), "one probability per word"),
    (lambda: cooccurrence_counts(torch.tensor([0, 1]), None, 3, 2, passes=0),
     "passes must be"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_subsampled_chunks_count_pairs_across_the_seams():
    ids, sentence = random_corpus(13, tokens=600, sentences=4)
    keep = keep_probabilities(torch.bincount(ids, minlength=30), 0.02)
    got = cooccurrence_counts(ids, sentence, 30, 4, keep_prob=keep, chunk_tokens=50,
                              generator=torch.Generator().manual_seed(2))
    # the same draws, chunk by chunk, then one brute-force count on all kept tokens
    g = torch.Generator().manual_seed(2)
    kept = torch.cat([subsample(ids[s:s + 50], keep, g) for s in range(0, 600, 50)])
    expected = brute_force(ids[kept], sentence[kept], 30, 4)
    assert np.allclose(got.toarray(), expected)
