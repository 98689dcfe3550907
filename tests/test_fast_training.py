"""Tests of w2v_lib.corpus and w2v_lib.fast_training: encoding a streamed corpus, one
step of the windowed trainer against a pair-by-pair reference, subsampling, learning,
and checkpoints that resume exactly."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
import torch

from w2v_lib.corpus import EncodedCorpus, encode_corpus
from w2v_lib.fast_training import (CAP, LARGE_BATCH, LARGEST_GROWTH, MODELS, SIGMA_PRIME_MAX,
                                   CheckpointError, DivergenceError, FastConfig,
                                   FastTrainer, large_batch_factors)
from w2v_lib.vocab import Vocab


def random_sentences(seed: int = 0, count: int = 60, words: int = 30) -> list[list[str]]:
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(words)]
    weights = [1 / (i + 1) for i in range(words)]  # Zipf-like
    return [rng.choices(vocabulary, weights, k=rng.randint(1, 25)) for _ in range(count)]


def corpus_of(sentences, min_count: int = 1) -> EncodedCorpus:
    return encode_corpus(lambda: iter(sentences), min_count=min_count)


# ---------------------------------------------------------------- the corpus


def test_encode_corpus_matches_a_plain_encoding():
    sentences = random_sentences()
    corpus = corpus_of(sentences, min_count=3)
    vocab = Vocab.from_tokens(sentences, min_count=3, unk=None)
    expected_ids, expected_sentence = [], []
    for number, sentence in enumerate(s for s in sentences
                                      if vocab.encode(s, drop_unknown=True)):
        kept = vocab.encode(sentence, drop_unknown=True)
        expected_ids += kept
        expected_sentence += [number] * len(kept)
    assert corpus.vocab.itos == vocab.itos
    assert corpus.ids.dtype == torch.int32 and corpus.sentence.dtype == torch.int32
    assert corpus.ids.tolist() == expected_ids
    assert corpus.sentence.tolist() == expected_sentence


def test_long_sentences_are_cut_into_pieces():
    corpus = encode_corpus(lambda: iter([["a"] * 7, ["b"] * 2]), min_count=1,
                           max_sentence_length=3)
    assert corpus.sentence.tolist() == [0, 0, 0, 1, 1, 1, 2, 3, 3]


def test_encode_corpus_errors_say_what_to_do():
    with pytest.raises(TypeError, match="function that returns"):
        encode_corpus([["a", "b"]])
    with pytest.raises(ValueError, match="min_count=5 removes every word"):
        encode_corpus(lambda: iter([["a", "b"]]), min_count=5)
    passes = iter([[["a", "b"]], [["a", "b", "a"]]])
    with pytest.raises(ValueError, match="changed between the two passes"):
        encode_corpus(lambda: iter(next(passes)), min_count=1)
    passes = iter([[["a", "b", "a"]], [["a", "b"]]])
    with pytest.raises(ValueError, match="changed between the two passes"):
        encode_corpus(lambda: iter(next(passes)), min_count=1)


# ---------------------------------------------------------------- one step


def reference_step(trainer: FastTrainer, ids, sentence, start, size, reduced, noise, alpha,
                   cap=CAP):
    """The same update, pair by pair with Python loops, every gradient taken at the
    parameters before the step (what one batch of SGD means). With the capped update,
    each row's rate is alpha capped at CAP over a bound on the row's curvature, summed
    pair by pair over the batch: the largest sigma', 1/4, times the squared length of
    the vector on the pair's other side."""
    cfg = trainer.config
    w_in, w_out = trainer.w_in.clone(), trainer.w_out.clone()
    # (kind, input row, output row, error at rate 1, curvature for the input row,
    # curvature for the output row, input-side vector, output-side vector)
    terms = []
    for i in range(size):
        position = start + cfg.window + i
        center = int(ids[position])
        contexts = [int(ids[position + j]) for j in range(-cfg.window, cfg.window + 1)
                    if j != 0 and abs(j) <= int(reduced[i])
                    and int(sentence[position + j]) == int(sentence[position])]
        targets = [(center, 1.0)] + [(int(n), 0.0) for n in noise[i] if int(n) != center]
        if cfg.model == "sgns":
            for context in contexts:
                for target, label in targets:
                    sigma = torch.sigmoid(w_in[context] @ w_out[target])
                    curv = SIGMA_PRIME_MAX  # the bound on sigma'
                    terms.append(([context], target, label - sigma,
                                  curv * w_out[target] @ w_out[target],
                                  curv * w_in[context] @ w_in[context],
                                  w_out[target], w_in[context]))
        elif contexts:
            hidden = torch.stack([w_in[c] for c in contexts]).mean(0)
            for target, label in targets:
                sigma = torch.sigmoid(hidden @ w_out[target])
                curv = SIGMA_PRIME_MAX
                # word2vec.c: each context word gets the whole error of the mean
                terms.append((contexts, target, label - sigma,
                              curv * w_out[target] @ w_out[target] / len(contexts),
                              curv * hidden @ hidden, w_out[target], hidden))
    rate_in = torch.full((len(w_in),), alpha)
    rate_out = torch.full((len(w_out),), alpha)
    if cfg.update == "capped":
        h_in, h_out = torch.zeros(len(w_in)), torch.zeros(len(w_out))
        for inputs, target, _, curv_in, curv_out, _, _ in terms:
            for row in inputs:
                h_in[row] += curv_in
            h_out[target] += curv_out
        rate_in = torch.minimum(rate_in, cap / h_in)
        rate_out = torch.minimum(rate_out, cap / h_out)
    new_in, new_out = w_in.clone(), w_out.clone()
    for inputs, target, error, _, _, out_vector, in_vector in terms:
        for row in inputs:
            new_in[row] += rate_in[row] * error * out_vector
        new_out[target] += rate_out[target] * error * in_vector
    return new_in, new_out


@pytest.mark.parametrize("model", ["sgns", "cbow"])
@pytest.mark.parametrize("window,tile,workers", [(1, 1, 1), (3, 1, 1), (3, 4, 1), (2, 8, 1),
                                                 (3, 4, 3)])
@pytest.mark.parametrize("update", ["summed", "capped"])
def test_a_step_equals_the_pair_by_pair_reference(model, window, tile, workers, update):
    # with several workers the batch is cut into shards that run in parallel threads;
    # the step must still be one batch step, the cap counting every shard's pairs
    corpus = corpus_of(random_sentences(seed=window))
    config = FastConfig(model=model, dim=8, window=window, negative=4, sample=1e-2, seed=3,
                        tile=tile, update=update, workers=workers)
    trainer = FastTrainer(corpus, config)
    trainer.w_out = torch.randn_like(trainer.w_out) * 0.3  # nonzero, so every term counts
    # a large rate, so that the cap binds for some rows and not for others
    alpha = 2.0 if update == "capped" else 0.1
    generator = trainer._generator(0)
    ids, sentence = trainer._subsample(generator)
    size = 38  # not a whole number of tiles: the last tile is padded
    reduced, noise = trainer._draw(size, generator)
    noise[0, 0] = ids[window]  # the center drawn as noise: must be skipped
    for start in (0, 7):
        expected_in, expected_out = reference_step(trainer, ids, sentence, start, size,
                                                   reduced, noise, alpha=alpha)
        trainer.step(ids, sentence, start, size, reduced, noise, alpha=alpha)
        torch.testing.assert_close(trainer.w_in, expected_in, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(trainer.w_out, expected_out, rtol=1e-5, atol=1e-6)


def test_up_to_large_batch_nothing_grows():
    for model in MODELS:
        for batch_size in (1, 512, LARGE_BATCH):
            assert large_batch_factors(model, batch_size) == (1.0, 1.0)
    assert large_batch_factors("sgns", 4 * LARGE_BATCH) == (2.0, 4.0)
    assert large_batch_factors("cbow", 4 * LARGE_BATCH) == (2.0, 1.0)
    # the growth stops at LARGEST_GROWTH centers
    for model in MODELS:
        assert (large_batch_factors(model, 16 * LARGE_BATCH)
                == large_batch_factors(model, LARGEST_GROWTH))


@pytest.mark.parametrize("model", ["sgns", "cbow"])
def test_above_large_batch_the_rate_and_skipgrams_cap_grow(model):
    corpus = corpus_of(random_sentences(seed=1))
    config = FastConfig(model=model, dim=8, window=2, negative=4, sample=1e-2, seed=3,
                        batch_size=4 * LARGE_BATCH)
    trainer = FastTrainer(corpus, config)
    assert (trainer.rate_factor, trainer.cap_factor) == (
        2.0, 4.0 if model == "sgns" else 1.0)
    assert trainer._alpha() == pytest.approx(2 * config.start_alpha)  # the first step
    # a step caps every row at the grown cap: the pair-by-pair reference with it
    trainer.w_out = torch.randn_like(trainer.w_out) * 0.3
    generator = trainer._generator(0)
    ids, sentence = trainer._subsample(generator)
    reduced, noise = trainer._draw(30, generator)
    expected_in, expected_out = reference_step(trainer, ids, sentence, 0, 30, reduced,
                                               noise, alpha=2.0, cap=CAP * trainer.cap_factor)
    trainer.step(ids, sentence, 0, 30, reduced, noise, alpha=2.0)
    torch.testing.assert_close(trainer.w_in, expected_in, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(trainer.w_out, expected_out, rtol=1e-5, atol=1e-6)
    # the summed update, the plain reference, keeps its rate at every batch size
    summed = FastTrainer(corpus, replace(config, update="summed"))
    assert (summed.rate_factor, summed.cap_factor) == (1.0, 1.0)
    assert summed._alpha() == pytest.approx(config.start_alpha)


def test_the_cap_binds_only_on_rows_with_many_pairs():
    # a large rate: the frequent words' rows get capped, rows seen once keep alpha
    corpus = corpus_of(random_sentences(seed=2, count=300, words=300))
    trainer = FastTrainer(corpus, FastConfig(dim=8, window=3, sample=0, tile=4))
    trainer.w_out = torch.randn_like(trainer.w_out) * 0.1
    trainer.w_in = torch.randn_like(trainer.w_in) * 0.1
    ids, sentence = trainer._subsample(trainer._generator(0))
    reduced, noise = trainer._draw(400, trainer._generator(1))
    alpha, seen = 0.5, []
    original = trainer._capped_rate

    def spy(rows, curvature, rate):
        result = original(rows, curvature, rate)
        seen.append((rows.clone(), result.clone()))
        return result

    trainer._capped_rate = spy
    trainer.step(ids, sentence, 0, 400, reduced, noise, alpha)
    (rows, rates), = seen  # one pass for both tables: output row r is entry V + r
    size = len(corpus.vocab)
    counts = torch.bincount(rows, minlength=2 * size)
    for frequent in (0, size):  # w0, the most frequent word, in each table
        assert float(rates[rows == frequent].max()) < alpha / 2
    # a row seen at one place of the batch: once as a target, or in at most the
    # three tiles (of 4 centers and 10 rows) that overlap one block row
    for table, places in ((rows < size, 3), (rows >= size, 1)):
        once = table & (counts[rows] <= places)
        assert bool(once.any()) and bool(torch.all(rates[once] == alpha))
    assert float(trainer._row_sums.abs().sum()) == 0  # the scratch space is zero again


def test_windows_never_cross_sentences_and_padding_is_never_a_context():
    # sentences of one word: no word has a context, so nothing may change
    corpus = corpus_of([["a"], ["b"], ["c"], ["a"]])
    trainer = FastTrainer(corpus, FastConfig(dim=4, window=3, sample=0, epochs=1))
    before = trainer.w_in.clone(), trainer.w_out.clone()
    trainer.train(progress=False)
    assert torch.equal(trainer.w_in, before[0]) and torch.equal(trainer.w_out, before[1])


def test_subsampling_keeps_each_word_with_its_probability():
    sentences = [["the"] * 50 + ["cat", "sat", "on", "a", "mat"]] * 400
    corpus = corpus_of(sentences)
    trainer = FastTrainer(corpus, FastConfig(sample=1e-2))
    ids, _ = trainer._subsample(trainer._generator(0))
    ids = ids[trainer.config.window:-trainer.config.window]
    the = corpus.vocab.index("the")
    kept = float((ids == the).sum()) / corpus.vocab.counts[the]
    assert kept == pytest.approx(float(trainer.keep[the]), abs=0.01)
    assert float(trainer.keep[the]) < 0.5  # the frequent word is really thinned out
    rare = corpus.vocab.index("cat")
    assert float((ids == rare).sum()) == corpus.vocab.counts[rare]  # kept with p = 1
    assert trainer.words_per_epoch == pytest.approx(len(ids), rel=0.02)


@pytest.mark.parametrize("power", [0.75, 1.0])
def test_noise_follows_the_three_quarter_power(power):
    corpus = corpus_of(random_sentences(count=400))
    config = FastConfig() if power == 0.75 else FastConfig(noise_power=power)
    trainer = FastTrainer(corpus, config)
    draws = trainer.noise.sample((200_000,), torch.Generator().manual_seed(0))
    counts = torch.tensor(corpus.vocab.counts, dtype=torch.float64) ** power
    expected = counts / counts.sum()
    observed = torch.bincount(draws, minlength=len(counts)).double() / len(draws)
    torch.testing.assert_close(observed, expected, atol=3e-3, rtol=0)


@pytest.mark.parametrize("model", ["sgns", "cbow"])
def test_training_learns_the_structure_of_a_corpus(model):
    # two topics that never share a sentence: words end up closer within a topic
    rng = random.Random(0)
    topics = [[f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)]]
    sentences = [rng.choices(topics[n % 2], k=12) for n in range(600)]
    corpus = corpus_of(sentences)
    trainer = FastTrainer(corpus, FastConfig(model=model, dim=16, window=3, sample=0,
                                             epochs=3, batch_size=64, seed=1))
    stats = trainer.train(progress=False, loss_every=5)
    assert stats.losses[-1][1] < 0.75 * stats.losses[0][1]
    vectors = trainer.vectors()
    unit = vectors.unit
    rows = {w: vectors.row(w) for w in vectors.words}
    same = [unit[rows[x]] @ unit[rows[y]] for t in topics for x in t for y in t if x != y]
    other = [unit[rows[x]] @ unit[rows[y]] for x in topics[0] for y in topics[1]]
    assert min(same) > max(other)
    assert stats.words == pytest.approx(3 * len(corpus))


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="model must be one of sgns, cbow.*window must be"):
        FastConfig(model="glove", window=0)
    with pytest.raises(ValueError, match="sample must be 0"):
        FastConfig(sample=2)
    with pytest.raises(ValueError, match="noise_power must lie between 0 and 1"):
        FastConfig(noise_power=1.5)
    with pytest.raises(TypeError, match="EncodedCorpus"):
        FastTrainer([["a", "b"]])


# ---------------------------------------------------------------- checkpoints


def small_run(tmp_path, model="sgns"):
    corpus = corpus_of(random_sentences(seed=5, count=300))
    config = FastConfig(model=model, dim=12, window=3, sample=1e-2, epochs=3,
                        batch_size=32, seed=7)
    return corpus, config


@pytest.mark.parametrize("model", ["sgns", "cbow"])
@pytest.mark.parametrize("stop_after", [5, 37])  # inside the first epoch; inside the second
def test_a_run_stopped_and_resumed_ends_like_an_uninterrupted_one(tmp_path, model, stop_after):
    corpus, config = small_run(tmp_path, model)
    whole = FastTrainer(corpus, config)
    whole.train(progress=False)

    path = tmp_path / "run" / "checkpoint.pt"
    first = FastTrainer(corpus, config)
    first.train(progress=False, checkpoint=path, stop_after=stop_after)
    assert not first.finished and first.batch > 0  # stopped in the middle of an epoch
    del first  # a killed process keeps nothing but its checkpoint
    resumed = FastTrainer.resume(path, corpus)
    resumed.train(progress=False, checkpoint=path)
    assert resumed.finished
    assert torch.equal(resumed.w_in, whole.w_in)
    assert torch.equal(resumed.w_out, whole.w_out)
    assert resumed.stats.words == whole.stats.words


def test_a_checkpoint_carries_the_noise_power(tmp_path):
    # a run with the plain unigram noise resumes with it, and ends like an unbroken run
    corpus, config = small_run(tmp_path)
    config = replace(config, noise_power=1.0)
    whole = FastTrainer(corpus, config)
    whole.train(progress=False)
    path = tmp_path / "checkpoint.pt"
    FastTrainer(corpus, config).train(progress=False, checkpoint=path, stop_after=5)
    assert torch.load(path, weights_only=True)["config"]["noise_power"] == 1.0
    resumed = FastTrainer.resume(path, corpus)
    assert resumed.config.noise_power == 1.0
    resumed.train(progress=False, checkpoint=path)
    assert torch.equal(resumed.w_in, whole.w_in)


def test_checkpoints_load_with_weights_only(tmp_path):
    corpus, config = small_run(tmp_path)
    path = tmp_path / "checkpoint.pt"
    FastTrainer(corpus, config).train(progress=False, checkpoint=path, stop_after=3)
    state = torch.load(path, weights_only=True)
    assert state["epoch"] == 0 and state["batch"] == 3
    assert state["w_in"].shape == (len(corpus.vocab), config.dim)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]  # no temporary left


def test_a_checkpoint_of_another_corpus_or_a_broken_one_is_refused(tmp_path):
    corpus, config = small_run(tmp_path)
    path = tmp_path / "checkpoint.pt"
    FastTrainer(corpus, config).train(progress=False, checkpoint=path, stop_after=2)
    other = corpus_of(random_sentences(seed=6, count=300))
    with pytest.raises(CheckpointError, match="made on another corpus"):
        FastTrainer.resume(path, other)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        FastTrainer.resume(path, corpus)
    torch.save({"something": torch.zeros(2)}, path)
    with pytest.raises(CheckpointError, match="not a checkpoint of this trainer"):
        FastTrainer.resume(path, corpus)


def test_a_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    corpus, config = small_run(tmp_path)
    path = tmp_path / "checkpoint.pt"
    trainer = FastTrainer(corpus, config)
    trainer.train(progress=False, checkpoint=path, stop_after=2)
    before = path.read_bytes()

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        trainer.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]


# ---------------------------------------------------------------- the divergence guard


def test_a_diverging_run_is_stopped_with_an_error_that_names_the_causes():
    corpus = corpus_of(random_sentences(seed=1, count=300, words=40))
    config = FastConfig(dim=8, window=2, epochs=2, batch_size=64, alpha=100.0,
                        update="summed")
    trainer = FastTrainer(corpus, config)
    with pytest.raises(DivergenceError) as caught:
        trainer.train(progress=False, loss_every=1)
    message = str(caught.value)
    assert "diverged in epoch 1" in message and "learning rate" in message
    assert "alpha 100 with batch_size 64" in message and "update='summed'" in message


def test_the_same_run_with_the_capped_update_trains():
    corpus = corpus_of(random_sentences(seed=1, count=300, words=40))
    config = FastConfig(dim=8, window=2, epochs=2, batch_size=64, alpha=100.0)
    stats = FastTrainer(corpus, config).train(progress=False, loss_every=1)
    assert all(math.isfinite(loss) for _, loss in stats.losses)


@pytest.mark.parametrize("where", ["w_in", "w_out"])
def test_vectors_that_are_not_finite_stop_the_run(tmp_path, where):
    # a row turned to inf after the first batch, with no loss measured afterwards
    # (an epoch of 40 batches and more measures one in every len / 20): the scan of
    # the tables before the next checkpoint finds it
    corpus = corpus_of(random_sentences(seed=1, count=3000, words=40))
    trainer = FastTrainer(corpus, FastConfig(dim=8, window=2, epochs=2, batch_size=64))
    path = tmp_path / "checkpoint.pt"
    trainer.train(progress=False, checkpoint=path, stop_after=1)
    saved = path.read_bytes()
    getattr(trainer, where)[len(corpus.vocab) - 1, 0] = float("inf")
    with pytest.raises(DivergenceError, match="hold values that are not finite"):
        trainer.train(progress=False, loss_every=10_000, checkpoint=path,
                      checkpoint_every=0.0)
    assert path.read_bytes() == saved  # no checkpoint of a diverged run


def test_a_loss_that_is_nan_stops_the_run():
    corpus = corpus_of(random_sentences(seed=1, count=300, words=40))
    trainer = FastTrainer(corpus, FastConfig(dim=8, window=2, epochs=1, batch_size=64))
    trainer.w_in.fill_(float("nan"))
    with pytest.raises(DivergenceError, match="the loss is nan"):
        trainer.train(progress=False, loss_every=1)
