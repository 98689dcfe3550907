"""Noise distribution, samplers, subsampling and the negative-sampling models."""

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import chisquare

from w2v_lib.negative_sampling import CBOWNS, SGNS, negative_sampling_loss, sgns_grads
from w2v_lib.noise import AliasSampler, MultinomialSampler, UnigramTableSampler, noise_distribution
from w2v_lib.subsampling import keep_probabilities, keep_probability_of_share, subsample
from w2v_lib.toy_corpus import load_toy_corpus
from w2v_lib.training import train
from w2v_lib.vocab import Vocab
from w2v_lib.windows import cbow_examples, skipgram_pairs, stream_from_sentences

SAMPLERS = [MultinomialSampler, AliasSampler, lambda p: UnigramTableSampler(p, size=2_000_000)]
SAMPLER_IDS = ["multinomial", "alias", "unigram-table"]

# counts that do NOT follow the index: a sampler that weights by index cannot pass
COUNTS = torch.tensor([5, 900, 40, 0, 3000, 12, 250, 1, 77, 600])


def matches(draws, probs, significance=1e-3):
    """A chi-square goodness-of-fit test over the words that can be drawn."""
    observed = torch.bincount(draws.flatten(), minlength=len(probs)).numpy()
    support = probs.numpy() > 0
    if observed[~support].any():
        return False  # drew a word that has probability 0
    expected = probs.numpy()[support] * draws.numel()
    return chisquare(observed[support], expected).pvalue > significance


def test_noise_distribution_is_counts_to_the_three_quarters():
    probs = noise_distribution(COUNTS)
    expected = COUNTS.double() ** 0.75 / (COUNTS.double() ** 0.75).sum()
    assert torch.allclose(probs, expected) and probs[3] == 0
    assert torch.allclose(noise_distribution(COUNTS, power=1.0), COUNTS.double() / COUNTS.sum(), atol=1e-12)
    # the power flattens: rare words gain, the most frequent loses
    assert probs[7] > COUNTS[7] / COUNTS.sum() and probs[4] < COUNTS[4] / COUNTS.sum()


@pytest.mark.parametrize("make", SAMPLERS, ids=SAMPLER_IDS)
def test_each_sampler_matches_the_noise_distribution(make):
    probs = noise_distribution(COUNTS)
    draws = make(probs).sample((200, 1000), generator=torch.Generator().manual_seed(0))
    assert draws.shape == (200, 1000) and draws.dtype == torch.int64
    assert matches(draws, probs)


@pytest.mark.parametrize("make", SAMPLERS, ids=SAMPLER_IDS)
def test_each_sampler_on_a_realistic_zipf_vocabulary(make):
    counts = (1e6 / torch.arange(1, 5001).double()).round()
    probs = noise_distribution(counts)
    draws = make(probs).sample((2_000_000,), generator=torch.Generator().manual_seed(1))
    # compare the top words one by one, and the tail as one bucket
    observed = torch.bincount(draws, minlength=5000).double()
    top = 50
    got = torch.cat([observed[:top], observed[top:].sum(0, keepdim=True)])
    want = torch.cat([probs[:top], probs[top:].sum(0, keepdim=True)]) * len(draws)
    assert chisquare(got.numpy(), want.numpy()).pvalue > 1e-3


def test_the_test_catches_a_sampler_that_weights_by_index():
    probs = noise_distribution(COUNTS)
    by_index = noise_distribution(torch.arange(1, len(COUNTS) + 1))  # d2l's old bug
    draws = MultinomialSampler(by_index).sample((200_000,), generator=torch.Generator().manual_seed(0))
    assert not matches(draws, probs)


def test_the_test_catches_a_sampler_without_the_power():
    probs = noise_distribution(COUNTS)
    draws = MultinomialSampler(noise_distribution(COUNTS, 1.0)).sample((200_000,), torch.Generator().manual_seed(0))
    assert not matches(draws, probs)


def test_alias_table_is_exact():
    probs = noise_distribution(COUNTS)
    sampler = AliasSampler(probs)
    # each bucket has mass 1/V: keep[i] stays at i, the rest goes to alias[i]
    mass = torch.zeros(len(probs), dtype=torch.float64)
    mass.index_add_(0, torch.arange(len(probs)), sampler.keep / len(probs))
    mass.index_add_(0, sampler.alias, (1 - sampler.keep) / len(probs))
    assert torch.allclose(mass, probs)


def test_unigram_table_rejects_a_table_smaller_than_the_vocabulary():
    with pytest.raises(ValueError, match="at least one slot per word"):
        UnigramTableSampler(noise_distribution(COUNTS), size=5)


@pytest.mark.parametrize("bad", [[], [-1, 2], [0, 0]])
def test_noise_distribution_bad_counts(bad):
    with pytest.raises(ValueError):
        noise_distribution(bad)


# --- subsampling --------------------------------------------------------------------


@pytest.mark.parametrize("sample", [1e-3, 1e-4, 1e-5])
def test_keep_probabilities_equal_gensims(sample):
    from gensim.models import Word2Vec
    from gensim.test.utils import datapath

    from w2v_lib.tokenizer import tokenize

    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        sentences = [tokenize(line) for line in f if line.strip()]
    model = Word2Vec(min_count=3, sample=sample)
    model.build_vocab(sentences)
    vocab = Vocab.from_tokens(sentences, min_count=3, unk=None)
    gensims = np.array([model.wv.get_vecattr(w, "sample_int") for w in vocab.itos], dtype=np.float64) / (2**32 - 1)
    ours = keep_probabilities(vocab.counts, sample).numpy()
    assert np.abs(ours - gensims).max() < 1e-9
    assert (ours < 1).sum() > 0


def test_the_three_formulas():
    counts = torch.tensor([1000, 100, 10, 1])
    share = counts / counts.sum()
    t = 1e-2
    assert torch.allclose(keep_probabilities(counts, t, "paper"), (t / share).sqrt().clamp(max=1).double())
    word2vec = keep_probabilities(counts, t, "word2vec")
    # word2vec.c writes it as (sqrt(f / t) + 1) * t / f
    assert torch.allclose(word2vec, ((share / t).sqrt() + 1).mul(t / share).clamp(max=1).double())
    assert torch.equal(word2vec, keep_probabilities(counts, t, "fasttext"))
    assert torch.equal(keep_probabilities(counts, 0), torch.ones(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="formula must be one of"):
        keep_probabilities(counts, t, "gensim")


def test_keep_probability_of_a_share_is_that_of_the_word_with_that_share():
    counts = torch.tensor([660, 200, 90, 40, 8, 2])
    share = counts.double() / counts.sum()
    for formula in ("paper", "word2vec", "fasttext"):
        assert torch.allclose(keep_probability_of_share(share, 1e-2, formula),
                              keep_probabilities(counts, 1e-2, formula), rtol=1e-12)
    # a grid of shares is not renormalised: f = 0.066 at t = 1e-3 keeps about 1 in 7
    # (passing the grid as counts instead would shift the curve by the grid's sum)
    grid = torch.logspace(-7, -0.5, 200, dtype=torch.float64)
    assert float(grid.sum()) > 4
    at = keep_probability_of_share(torch.tensor([0.066]), 1e-3)
    assert float(at) == pytest.approx((1e-3 / 0.066) ** 0.5 + 1e-3 / 0.066)
    assert 0.13 < float(at) < 0.15
    # word2vec.c's formula drops nothing below f = t / 0.382 = 2.62 t; the paper's below t
    t = 1e-3
    assert float(keep_probability_of_share(2.61 * t, t)) == 1.0
    assert float(keep_probability_of_share(2.63 * t, t)) < 1.0
    assert float(keep_probability_of_share(0.99 * t, t, "paper")) == 1.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        keep_probability_of_share(torch.tensor([2.0]), t)


def test_subsample_keeps_each_word_at_its_rate():
    ids = torch.arange(4).repeat(50_000)
    keep = torch.tensor([1.0, 0.5, 0.1, 0.0], dtype=torch.float64)
    mask = subsample(ids, keep, torch.Generator().manual_seed(0))
    rates = torch.stack([mask[ids == i].double().mean() for i in range(4)])
    assert torch.allclose(rates, keep, atol=0.01)


# --- the models ---------------------------------------------------------------------


def test_sgns_grads_equal_autograd():
    g = torch.Generator().manual_seed(0)
    v = torch.randn(6, 4, generator=g, dtype=torch.double, requires_grad=True)
    pos = torch.randn(6, 4, generator=g, dtype=torch.double, requires_grad=True)
    neg = torch.randn(6, 5, 4, generator=g, dtype=torch.double, requires_grad=True)
    negative_sampling_loss(v, pos, neg).backward()
    for by_hand, tensor in zip(sgns_grads(v.detach(), pos.detach(), neg.detach()), (v, pos, neg)):
        assert torch.allclose(by_hand, tensor.grad)
    assert torch.autograd.gradcheck(negative_sampling_loss, (v, pos, neg))


def test_sgns_loss_by_its_definition():
    model = SGNS(10, 3, generator=torch.Generator().manual_seed(0))
    torch.nn.init.normal_(model.w_out.weight, generator=torch.Generator().manual_seed(1))
    c, o, n = torch.tensor([2]), torch.tensor([5]), torch.tensor([[1, 7]])
    v, u = model.w_in.weight, model.w_out.weight
    by_hand = -(torch.log(torch.sigmoid(u[5] @ v[2])) + torch.log(torch.sigmoid(-u[1] @ v[2]))
                + torch.log(torch.sigmoid(-u[7] @ v[2])))
    assert torch.allclose(model.loss(c, o, n), by_hand)


def test_a_negative_equal_to_the_positive_is_skipped():
    """word2vec.c and gensim skip a noise draw that hits the observed word; so do we."""
    model = SGNS(10, 3, generator=torch.Generator().manual_seed(0))
    torch.nn.init.normal_(model.w_out.weight)
    c, o = torch.tensor([2]), torch.tensor([5])
    with_hit = model.loss(c, o, torch.tensor([[5, 7]]))
    without = model.loss(c, o, torch.tensor([[7]]))
    assert torch.allclose(with_hit, without)
    keeping = SGNS(10, 3, skip_positive=False)
    keeping.load_state_dict(model.state_dict())
    assert keeping.loss(c, o, torch.tensor([[5, 7]])) > without


def toy_pairs():
    sentences = load_toy_corpus()
    vocab = Vocab.from_tokens(sentences, min_count=2)
    ids, sentence = stream_from_sentences([vocab.encode(s) for s in sentences])
    return vocab, ids, sentence


@pytest.mark.parametrize("kind", ["sgns", "cbowns"])
def test_negative_sampling_training_lowers_the_loss_and_repeats_exactly(kind):
    vocab, ids, sentence = toy_pairs()
    sampler = AliasSampler(noise_distribution(vocab.counts))
    results = []
    for _ in range(2):
        if kind == "sgns":
            model, examples = SGNS(len(vocab), 10, generator=torch.Generator().manual_seed(0)), skipgram_pairs(ids, 2, sentence)
        else:
            model, examples = CBOWNS(len(vocab), 10, generator=torch.Generator().manual_seed(0)), cbow_examples(ids, 2, sentence)
        history = train(model, examples, epochs=30, batch_size=32, sampler=sampler, negatives=5, progress=False)
        results.append((history.losses, model.vectors.clone()))
    assert results[0][0][-1] < 0.8 * results[0][0][0]
    assert results[0][0] == results[1][0] and torch.equal(results[0][1], results[1][1])


def test_without_noise_words_the_vectors_align_and_grow():
    """K = 0 (chapter 4): the loss only pulls observed pairs together, so training
    turns every input vector the same way and lengthens it epoch after epoch, and the
    model calls any pair of words real; with K = 5 on the same pairs it calls a random
    pair noise."""
    vocab, ids, sentence = toy_pairs()
    sampler = AliasSampler(noise_distribution(vocab.counts))
    pairs = skipgram_pairs(ids, 2, sentence)
    results = {}
    for k in [0, 5]:
        model = SGNS(len(vocab), 10, generator=torch.Generator().manual_seed(0))
        norms, cosines, real = [], [], []

        def measure(epoch):
            v, u = model.w_in.weight.detach(), model.w_out.weight.detach()
            unit = F.normalize(v, dim=1)
            n = len(v)
            norms.append(float(v.norm(dim=1).mean()))
            cosines.append(float(((unit @ unit.T).sum() - n) / (n * n - n)))  # w != w'
            real.append(float(torch.sigmoid(v @ u.T).mean()))

        history = train(model, pairs, epochs=30, batch_size=32, sampler=sampler, negatives=k,
                        progress=False, after_epoch=measure)
        assert history.epochs == 30 and len(norms) == 30
        results[k] = norms, cosines, real
    norms, cosines, real = results[0]
    assert all(b > a for a, b in zip(norms, norms[1:]))
    assert cosines[-1] > 0.95 and real[-1] > 0.65
    assert results[5][1][-1] < cosines[-1] - 0.05 and results[5][2][-1] < 0.3


def test_without_noise_words_the_loss_is_the_observed_term_alone():
    model = SGNS(7, 3, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        model.w_out.weight.normal_(generator=torch.Generator().manual_seed(2))
    c, o = torch.tensor([0, 1, 2]), torch.tensor([3, 4, 5])
    scores = (model.w_in(c) * model.w_out(o)).sum(-1)
    got = model.loss(c, o, torch.empty(3, 0, dtype=torch.int64))
    assert torch.allclose(got, -F.logsigmoid(scores).mean())


def test_examples_made_anew_every_epoch():
    vocab, ids, sentence = toy_pairs()
    keep = keep_probabilities(vocab.counts, 1e-2)
    sizes = []

    def make(epoch, generator):
        kept = subsample(ids, keep, generator)
        pairs = skipgram_pairs(ids[kept], 2, sentence[kept], reduced=True, generator=generator)
        sizes.append(len(pairs[0]))
        return pairs

    model = SGNS(len(vocab), 10)
    history = train(model, make, epochs=4, batch_size=32, progress=False,
                    sampler=MultinomialSampler(noise_distribution(vocab.counts)))
    assert len(sizes) == 4 and len(set(sizes)) > 1  # a fresh draw each epoch
    assert history.examples == sum(sizes)


def test_cbow_with_the_whole_error_gives_every_context_word_all_of_dl_dh():
    """word2vec.c's and gensim's CBOW update: the mean forward, the whole error back."""
    exact = CBOWNS(12, 4, generator=torch.Generator().manual_seed(0))
    torch.nn.init.normal_(exact.w_out.weight, generator=torch.Generator().manual_seed(1))
    whole = CBOWNS(12, 4, whole_error=True)
    whole.load_state_dict(exact.state_dict())
    contexts = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]])
    mask = torch.tensor([[True, True, True, False], [True, True, False, False]])
    centers, negatives = torch.tensor([6, 7]), torch.tensor([[8, 9], [10, 11]])
    loss_exact = exact.loss(contexts, mask, centers, negatives)
    loss_whole = whole.loss(contexts, mask, centers, negatives)
    assert torch.allclose(loss_exact, loss_whole)  # the same forward pass
    loss_exact.backward()
    loss_whole.backward()
    n = mask.sum(1)  # 3 and 2 real context words
    for example, words in enumerate(([1, 2, 3], [4, 5])):
        for word in words:
            # the exact gradient is 1/n of the whole error
            assert torch.allclose(whole.w_in.weight.grad[word],
                                  n[example] * exact.w_in.weight.grad[word], atol=1e-6)
    assert torch.allclose(whole.w_out.weight.grad, exact.w_out.weight.grad, atol=1e-6)


def test_after_epoch_is_called_once_per_epoch_and_left_out_of_the_time():
    vocab, ids, sentence = toy_pairs()
    model = SGNS(len(vocab), 10, generator=torch.Generator().manual_seed(0))
    called = []

    def slow(epoch):
        called.append(epoch)
        time.sleep(0.5)

    start = time.perf_counter()
    history = train(model, skipgram_pairs(ids, 2, sentence), epochs=3, batch_size=64,
                    sampler=AliasSampler(noise_distribution(vocab.counts)), progress=False,
                    after_epoch=slow)
    wall = time.perf_counter() - start
    assert called == [1, 2, 3]
    # the three half-second pauses are not training time
    assert history.seconds < wall - 1.4
