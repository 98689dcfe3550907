"""Texts as bags of word vectors: the flat layout nn.EmbeddingBag reads, mean pooling
over padding against brute force, and a classifier that learns, frozen or fine-tuned."""

import pytest
import torch

from w2v_lib.text_classifier import (BagOfVectors, encode_texts, mean_pool, mean_vectors, pad_texts, predict,
                                     train_bag_classifier)
from w2v_lib.vectors import WordVectors

INDEX = {"good": 0, "bad": 1, "film": 2, "plot": 3}
TEXTS = [["good", "film"], ["unknown", "words", "only"], [], ["bad", "plot", "bad"]]


def test_encode_and_pad():
    ids, offsets = encode_texts(TEXTS, INDEX)
    assert ids.tolist() == [0, 2, 1, 3, 1] and offsets.tolist() == [0, 2, 2, 2]
    padded, lengths = pad_texts(TEXTS, INDEX, pad=9)
    assert padded.tolist() == [[0, 2, 9], [9, 9, 9], [9, 9, 9], [1, 3, 1]]
    assert lengths.tolist() == [2, 0, 0, 3]
    assert pad_texts([[]], INDEX)[0].shape == (1, 1)


def test_mean_pool_equals_brute_force_and_embedding_bag():
    g = torch.Generator().manual_seed(0)
    table = torch.randn(50, 7, generator=g, dtype=torch.float64)
    texts = [[f"w{int(i)}" for i in torch.randint(0, 50, (int(n),), generator=g)]
             for n in torch.randint(0, 12, (30,), generator=g)]
    index = {f"w{i}": i for i in range(50)}
    padded, lengths = pad_texts(texts, index, pad=3)  # pad with a real word: it must not count
    pooled = mean_pool(table, padded, lengths)
    brute = torch.stack([table[[index[w] for w in t]].mean(0) if t else torch.zeros(7, dtype=torch.float64)
                         for t in texts])
    assert torch.allclose(pooled, brute)
    ids, offsets = encode_texts(texts, index)
    bag = torch.nn.EmbeddingBag.from_pretrained(table, mode="mean")
    assert torch.allclose(bag(ids, offsets), brute)
    vectors = WordVectors([f"w{i}" for i in range(50)], table)
    assert torch.allclose(mean_vectors(vectors, texts), brute.float(), atol=1e-6)
    with pytest.raises(ValueError, match="padded_ids must be"):
        mean_pool(table, padded, lengths[:-1])


def separable(n=200, seed=0):
    """Texts whose class is told by one of their words."""
    g = torch.Generator().manual_seed(seed)
    words = [f"w{i}" for i in range(40)]
    index = {w: i for i, w in enumerate(words)}
    labels = torch.randint(0, 3, (n,), generator=g)
    texts = []
    for label in labels.tolist():
        filler = [words[int(i)] for i in torch.randint(3, 40, (3,), generator=g)]
        texts.append(filler + [words[label]])
    return encode_texts(texts, index), labels


@pytest.mark.parametrize("freeze", [True, False])
def test_the_classifier_learns_and_freezing_keeps_the_table(freeze):
    (ids, offsets), labels = separable()
    table = torch.randn(40, 32, generator=torch.Generator().manual_seed(1))
    model = train_bag_classifier(table, ids, offsets, labels, 3, freeze=freeze, epochs=40, lr=0.05)
    accuracy = float((predict(model, ids, offsets) == labels).float().mean())
    assert accuracy > 0.9
    assert torch.equal(model.bag.weight, table) == freeze
    again = train_bag_classifier(table, ids, offsets, labels, 3, freeze=freeze, epochs=40, lr=0.05)
    assert torch.equal(again.out.weight, model.out.weight)  # same seed, same model


def test_bad_input():
    (ids, offsets), labels = separable(10)
    table = torch.randn(40, 8)
    with pytest.raises(ValueError, match="one label per text"):
        train_bag_classifier(table, ids, offsets, labels[:-1], 3, freeze=True)
    with pytest.raises(ValueError, match=r"labels must lie in 0..1"):
        train_bag_classifier(table, ids, offsets, labels, 2, freeze=True)
    with pytest.raises(ValueError, match="at least 2 classes"):
        BagOfVectors(table, 1, freeze=True)
    with pytest.raises(ValueError, match="table must be"):
        BagOfVectors(torch.randn(4), 2, freeze=True)
