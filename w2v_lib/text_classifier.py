"""Classifying texts with word vectors: the mean of a text's word vectors as its
features, and a small PyTorch model whose embedding layer starts from trained vectors,
frozen or fine-tuned (chapter 9).

A text of n words becomes one vector, the mean of its words' vectors; a linear
classifier (logistic regression) reads the class from it. In PyTorch that is an
``nn.EmbeddingBag(mode="mean")``, which averages the rows of a bag of word indices
without building the ``(texts, words, d)`` tensor, followed by an ``nn.Linear``. The
embedding table can start from trained vectors and stay fixed ("frozen"), or be trained
further with the classifier ("fine-tuned"), or start at random.

Texts are passed to the bag as one flat tensor of word indices and the offsets where
each text starts, the layout ``nn.EmbeddingBag`` reads. Words the vectors do not know
are dropped; a text with no known word becomes the zero vector.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from .vectors import WordVectors

__all__ = ["encode_texts", "pad_texts", "mean_pool", "mean_vectors", "BagOfVectors",
           "train_bag_classifier", "predict"]


def encode_texts(texts: Sequence[Sequence[str]], index: Mapping[str, int]
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """The known words of every text as one flat tensor of indices, and the offset of
    each text's first word in it: the input of ``nn.EmbeddingBag``.

    Introduced in chapter 9.
    """
    ids: list[int] = []
    offsets: list[int] = []
    for text in texts:
        offsets.append(len(ids))
        ids.extend(index[w] for w in text if w in index)
    return torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long)


def pad_texts(texts: Sequence[Sequence[str]], index: Mapping[str, int], pad: int = 0
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """The known words of every text as rows of a ``(texts, longest)`` tensor, filled up
    with ``pad``, and the number of real words in each row.

    Introduced in chapter 9: the layout of a batch of sentences for models that need a
    rectangle, and the reason mean pooling must divide by the lengths.
    """
    rows = [[index[w] for w in text if w in index] for text in texts]
    longest = max((len(r) for r in rows), default=0)
    padded = torch.full((len(rows), max(longest, 1)), pad, dtype=torch.long)
    for i, row in enumerate(rows):
        padded[i, :len(row)] = torch.tensor(row, dtype=torch.long)
    return padded, torch.tensor([len(r) for r in rows], dtype=torch.long)


def mean_pool(table: torch.Tensor, padded_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The mean of the first ``lengths[i]`` word vectors of every row of ``padded_ids``:
    padding never counts. A row of length 0 gives the zero vector.

    Introduced in chapter 9 (the exercise's reference).
    """
    if padded_ids.dim() != 2 or lengths.shape != padded_ids.shape[:1]:
        raise ValueError(f"padded_ids must be (texts, longest) and lengths (texts,), got "
                         f"{tuple(padded_ids.shape)} and {tuple(lengths.shape)}.")
    positions = torch.arange(padded_ids.shape[1], device=padded_ids.device)
    real = (positions[None, :] < lengths[:, None]).to(table.dtype)
    sums = (table[padded_ids] * real[..., None]).sum(dim=1)
    return sums / lengths.clamp(min=1)[:, None].to(table.dtype)


def mean_vectors(vectors: WordVectors, texts: Sequence[Sequence[str]]) -> torch.Tensor:
    """One row per text: the mean of the vectors of its known words (zeros if none).

    Introduced in chapter 9.
    """
    ids, offsets = encode_texts(texts, vectors.index)
    bag = nn.EmbeddingBag.from_pretrained(vectors.vectors, mode="mean")
    with torch.no_grad():
        return bag(ids, offsets)


class BagOfVectors(nn.Module):
    """The mean of a text's word vectors, then a linear layer to the class scores.

    Introduced in chapter 9. ``table`` is the starting embedding table (copied);
    ``freeze`` keeps it fixed while the linear layer learns.
    """

    def __init__(self, table: torch.Tensor, n_classes: int, freeze: bool) -> None:
        super().__init__()
        if table.dim() != 2:
            raise ValueError(f"table must be (words, dim), got shape {tuple(table.shape)}.")
        if n_classes < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got {n_classes}.")
        self.bag = nn.EmbeddingBag.from_pretrained(table.detach().clone().float(),
                                                   freeze=freeze, mode="mean")
        self.out = nn.Linear(table.shape[1], n_classes)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return self.out(self.bag(ids, offsets))


def _batches(n: int, batch_size: int, generator: torch.Generator):
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _select(ids: torch.Tensor, offsets: torch.Tensor, chosen: torch.Tensor
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """The texts ``chosen`` (indices) out of a flat ``(ids, offsets)`` batch."""
    ends = torch.cat([offsets[1:], torch.tensor([len(ids)])])
    parts = [ids[offsets[i]:ends[i]] for i in chosen.tolist()]
    lengths = torch.tensor([len(p) for p in parts], dtype=torch.long)
    new_offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    return torch.cat(parts) if parts else ids[:0], new_offsets


def train_bag_classifier(table: torch.Tensor, ids: torch.Tensor, offsets: torch.Tensor,
                         labels: torch.Tensor, n_classes: int, freeze: bool,
                         epochs: int = 20, lr: float = 0.01, batch_size: int = 32,
                         weight_decay: float = 0.0, seed: int = 0) -> BagOfVectors:
    """Train a :class:`BagOfVectors` with Adam and cross-entropy on the texts given as
    ``(ids, offsets)`` (from :func:`encode_texts`); returns the trained model.

    Introduced in chapter 9. ``seed`` fixes the classifier's initialisation and the
    order of the batches, so that several seeds show the spread of the result.
    """
    if len(offsets) != len(labels):
        raise ValueError(f"one label per text: {len(offsets)} texts, {len(labels)} labels.")
    if len(labels) == 0:
        raise ValueError("there are no texts to train on.")
    if int(labels.min()) < 0 or int(labels.max()) >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got "
                         f"{int(labels.min())}..{int(labels.max())}.")
    torch.manual_seed(seed)
    model = BagOfVectors(table, n_classes, freeze)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr,
                                 weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for chosen in _batches(len(labels), batch_size, generator):
            batch_ids, batch_offsets = _select(ids, offsets, chosen)
            loss = nn.functional.cross_entropy(model(batch_ids, batch_offsets), labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def predict(model: BagOfVectors, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """The most likely class of every text.

    Introduced in chapter 9.
    """
    with torch.no_grad():
        return model(ids, offsets).argmax(dim=1)
