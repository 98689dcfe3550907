"""The full-softmax models of chapters 2 and 3: hand gradients against autograd and
finite differences, training that lowers the loss, and runs that repeat exactly."""

import pytest
import torch
import torch.nn.functional as F

from w2v_lib.cbow import CBOW, cbow_grads, combine_contexts
from w2v_lib.neighbours import nearest_neighbours
from w2v_lib.skipgram import SkipGram, skipgram_grads, softmax_cross_entropy_grad
from w2v_lib.toy_corpus import load_toy_corpus
from w2v_lib.training import linear_lr, train
from w2v_lib.vocab import Vocab
from w2v_lib.windows import cbow_examples, skipgram_pairs, stream_from_sentences


@pytest.fixture
def rng():
    return torch.Generator().manual_seed(0)


@pytest.mark.parametrize("batch, vocab_size", [(1, 2), (5, 11), (64, 300)])
def test_softmax_cross_entropy_grad_equals_autograd(batch, vocab_size, rng):
    scores = torch.randn(batch, vocab_size, generator=rng, dtype=torch.double, requires_grad=True)
    targets = torch.randint(0, vocab_size, (batch,), generator=rng)
    F.cross_entropy(scores, targets).backward()
    assert torch.allclose(softmax_cross_entropy_grad(scores.detach(), targets), scores.grad)


@pytest.mark.parametrize("batch, vocab_size, dim", [(1, 3, 2), (7, 20, 5), (128, 500, 32)])
def test_skipgram_grads_equal_autograd(batch, vocab_size, dim, rng):
    v = torch.randn(batch, dim, generator=rng, dtype=torch.double, requires_grad=True)
    U = torch.randn(vocab_size, dim, generator=rng, dtype=torch.double, requires_grad=True)
    contexts = torch.randint(0, vocab_size, (batch,), generator=rng)
    F.cross_entropy(v @ U.T, contexts).backward()
    grad_v, grad_U = skipgram_grads(v.detach(), U.detach(), contexts)
    assert torch.allclose(grad_v, v.grad) and torch.allclose(grad_U, U.grad)


def test_skipgram_grads_equal_finite_differences(rng):
    v = torch.randn(3, 4, generator=rng, dtype=torch.double)
    U = torch.randn(6, 4, generator=rng, dtype=torch.double)
    contexts = torch.tensor([0, 5, 2])
    grad_v, grad_U = skipgram_grads(v, U, contexts)
    eps = 1e-6
    for tensor, grad in ((v, grad_v), (U, grad_U)):
        for index in [(0, 0), (1, 3), (2, 1)]:
            plus, minus = tensor.clone(), tensor.clone()
            plus[index] += eps
            minus[index] -= eps
            args_plus = (plus, U) if tensor is v else (v, plus)
            args_minus = (minus, U) if tensor is v else (v, minus)
            numeric = (F.cross_entropy(args_plus[0] @ args_plus[1].T, contexts)
                       - F.cross_entropy(args_minus[0] @ args_minus[1].T, contexts)) / (2 * eps)
            assert abs(float(numeric) - float(grad[index])) < 1e-7


@pytest.mark.parametrize("mean", [True, False])
def test_cbow_grads_equal_autograd(mean, rng):
    batch, slots, dim, vocab_size = 9, 6, 5, 30
    context_vectors = torch.randn(batch, slots, dim, generator=rng, dtype=torch.double, requires_grad=True)
    mask = torch.rand(batch, slots, generator=rng) < 0.6
    mask[:, 0] = True  # every example has at least one context word
    U = torch.randn(vocab_size, dim, generator=rng, dtype=torch.double, requires_grad=True)
    centers = torch.randint(0, vocab_size, (batch,), generator=rng)
    F.cross_entropy(combine_contexts(context_vectors, mask, mean) @ U.T, centers).backward()
    grad_contexts, grad_U = cbow_grads(context_vectors.detach(), mask, U.detach(), centers, mean)
    assert torch.allclose(grad_contexts, context_vectors.grad) and torch.allclose(grad_U, U.grad)
    assert bool((grad_contexts[~mask] == 0).all())


def test_cbow_mean_ignores_padding():
    vectors = torch.tensor([[[1.0, 1.0], [3.0, 5.0], [100.0, 100.0]]])
    mask = torch.tensor([[True, True, False]])
    assert torch.equal(combine_contexts(vectors, mask), torch.tensor([[2.0, 3.0]]))
    assert torch.equal(combine_contexts(vectors, mask, mean=False), torch.tensor([[4.0, 6.0]]))
    with pytest.raises(ValueError, match="no context word"):
        combine_contexts(vectors, torch.zeros(1, 3, dtype=torch.bool))


def test_models_agree_with_their_hand_gradients():
    model = SkipGram(12, 4, generator=torch.Generator().manual_seed(0))
    torch.nn.init.normal_(model.w_out.weight)
    centers, contexts = torch.tensor([1, 3, 3]), torch.tensor([2, 0, 11])
    model.loss(centers, contexts).backward()
    grad_v, grad_U = skipgram_grads(model.w_in(centers).detach(), model.w_out.weight.detach(), contexts)
    expected_center = torch.zeros(12, 4).index_add_(0, centers, grad_v)
    assert torch.allclose(model.w_in.weight.grad, expected_center, atol=1e-6)
    assert torch.allclose(model.w_out.weight.grad, grad_U, atol=1e-6)


def toy_examples(kind):
    sentences = load_toy_corpus()
    vocab = Vocab.from_tokens(sentences, min_count=2)
    ids, sentence = stream_from_sentences([vocab.encode(s) for s in sentences])
    if kind == "skipgram":
        return vocab, SkipGram(len(vocab), 10, generator=torch.Generator().manual_seed(0)), skipgram_pairs(ids, 2, sentence)
    return vocab, CBOW(len(vocab), 10, generator=torch.Generator().manual_seed(0)), cbow_examples(ids, 2, sentence)


@pytest.mark.parametrize("kind", ["skipgram", "cbow"])
def test_loss_falls_on_the_toy_corpus(kind):
    _, model, examples = toy_examples(kind)
    history = train(model, examples, epochs=100, batch_size=32, lr=0.025, progress=False, log_every=10)
    assert history.losses[-1] < 0.8 * history.losses[0]
    assert history.examples == 100 * len(examples[-1]) and history.examples_per_second > 0


@pytest.mark.parametrize("kind", ["skipgram", "cbow"])
def test_a_fixed_seed_gives_the_same_result_twice(kind):
    results = []
    for _ in range(2):
        _, model, examples = toy_examples(kind)
        history = train(model, examples, epochs=3, batch_size=16, seed=7, progress=False)
        results.append((history.losses, model.vectors.clone()))
    assert results[0][0] == results[1][0]
    assert torch.equal(results[0][1], results[1][1])


def test_linear_lr_decays_to_a_floor():
    assert linear_lr(0.025, 0, 100) == 0.025
    assert linear_lr(0.025, 50, 100) == pytest.approx(0.0125)
    assert linear_lr(0.025, 100, 100) == pytest.approx(0.025 * 1e-4)


def test_training_rejects_empty_or_bad_settings():
    model = SkipGram(5, 2)
    empty = (torch.tensor([], dtype=torch.int64),) * 2
    with pytest.raises(ValueError, match="non-empty"):
        train(model, empty, progress=False)
    with pytest.raises(ValueError, match="epochs and batch_size must be at least 1"):
        train(model, (torch.tensor([1]), torch.tensor([2])), epochs=0, progress=False)
    with pytest.raises(ValueError, match="negatives at least 0"):
        train(model, (torch.tensor([1]), torch.tensor([2])), negatives=-1, progress=False)
    with pytest.raises(ValueError, match="Empty batch"):
        model.loss(torch.tensor([], dtype=torch.int64), torch.tensor([], dtype=torch.int64))


def test_nearest_neighbours_by_cosine():
    vocab = Vocab.from_tokens("a a a b b c d".split())
    vectors = torch.tensor([[9.0, 9.0], [1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    got = nearest_neighbours(vectors, vocab, "a", k=3)
    assert [w for w, _ in got] == ["b", "c", "d"]  # <unk> and 'a' itself are left out
    assert got[0][1] == pytest.approx(0.9939, abs=1e-4)
    with pytest.raises(KeyError, match="'bb' is not in the vocabulary.*Did you mean 'b'"):
        nearest_neighbours(vectors, vocab, "bb")
    with pytest.raises(ValueError, match="rows"):
        nearest_neighbours(vectors[:3], vocab, "a")


def test_format_neighbours_lists_each_word():
    from w2v_lib.neighbours import format_neighbours

    vocab = Vocab.from_tokens("a a a b b c d".split())
    vectors = torch.tensor([[9.0, 9.0], [1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    assert format_neighbours(vectors, vocab, ["a", "d"], k=2) == "a -> b, c\nd -> c, b"
