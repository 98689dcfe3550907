"""The whole word2vec recipe of chapter 5 in one call (chapter 6).

Chapter 5 assembled the recipe cell by cell; later chapters need it as one function,
with the same settings as gensim's ``Word2Vec`` so that the two can be compared on
equal terms: ``min_count``, ``window`` (reduced, drawn anew every epoch), ``negative``,
``sample`` (word2vec.c's keep-probability, drawn anew every epoch), ``vector_size``,
``epochs``, the starting learning rate ``alpha`` (0.025 for skip-gram, 0.05 for CBOW,
decaying linearly), and the model (``sg=1`` skip-gram, ``sg=0`` CBOW with the mean).
``hs=1, negative=0`` trains with a hierarchical softmax instead of negative sampling
(appendix A).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .hierarchical_softmax import HierarchicalCBOW, HierarchicalSkipGram, huffman_tree
from .negative_sampling import CBOWNS, SGNS
from .noise import AliasSampler, noise_distribution
from .subsampling import keep_probabilities, subsample
from .training import History, train
from .vectors import WordVectors
from .vocab import Vocab
from .windows import cbow_examples, skipgram_pairs, stream_from_sentences

__all__ = ["Word2VecRun", "train_word2vec"]


@dataclass
class Word2VecRun:
    """What :func:`train_word2vec` returns: the vectors, the training history, and the
    number of *effective* words (tokens kept after subsampling) per epoch, the quantity
    gensim measures its speed in."""

    vectors: WordVectors
    history: History
    effective_words_per_epoch: float

    @property
    def effective_words_per_second(self) -> float:
        epochs = self.history.epochs
        return self.effective_words_per_epoch * epochs / self.history.seconds


def train_word2vec(sentences: Sequence[Sequence[str]], *, sg: int = 1, hs: int = 0, vector_size: int = 100,
                   window: int = 5, negative: int = 5, sample: float = 1e-3, min_count: int = 5,
                   epochs: int = 5, alpha: float | None = None, batch_size: int = 512, seed: int = 0,
                   device: torch.device | str = "cpu", progress: bool = True) -> Word2VecRun:
    """Train skip-gram (``sg=1``) or CBOW (``sg=0``) with negative sampling on tokenized
    sentences, with gensim's parameter names and defaults.

    Introduced in chapter 6. ``hs=1`` with ``negative=0`` (appendix A) replaces negative
    sampling by a hierarchical softmax over the vocabulary's Huffman tree, as gensim's
    ``hs=1, negative=0`` does.
    """
    if hs not in (0, 1) or (hs and negative) or (not hs and negative < 1):
        raise ValueError(
            f"Choose one output layer: hs=0 with negative >= 1 (negative sampling), or "
            f"hs=1 with negative=0 (hierarchical softmax); got hs={hs}, negative={negative}. "
            "(gensim can train both at once; this course trains one at a time.)")
    vocab = Vocab.from_tokens(sentences, min_count=min_count, unk=None)
    ids, sentence_of = stream_from_sentences([vocab.encode(s, drop_unknown=True) for s in sentences])
    ids, sentence_of = ids.to(device), sentence_of.to(device)
    counts = torch.tensor(vocab.counts)
    keep = keep_probabilities(counts, sample)
    make_examples = skipgram_pairs if sg else cbow_examples

    def make(epoch: int, generator: torch.Generator):
        kept = subsample(ids, keep, generator)
        return make_examples(ids[kept], window, sentence_of[kept], reduced=True, generator=generator)

    generator = torch.Generator().manual_seed(seed)
    if hs:
        model = (HierarchicalSkipGram if sg else HierarchicalCBOW)(
            huffman_tree(vocab.counts), vector_size, generator=generator)
        noise = {}
    else:
        model = (SGNS if sg else CBOWNS)(len(vocab), vector_size, generator=generator)
        noise = dict(sampler=AliasSampler(noise_distribution(counts)), negatives=negative)
    history = train(model, make, epochs=epochs, batch_size=batch_size,
                    lr=alpha if alpha is not None else (0.025 if sg else 0.05), seed=seed,
                    device=device, progress=progress, **noise)
    effective = float((counts.double() * keep).sum())
    return Word2VecRun(WordVectors.from_model(model.vectors.cpu(), vocab), history, effective)
