"""The whole word2vec recipe of chapter 5 in one call (chapter 6).

Chapter 5 assembled the recipe cell by cell; later chapters need it as one function.
It takes gensim's ``Word2Vec`` parameter names, so that the two can be given the same
settings: ``min_count``, ``window`` (reduced, drawn anew every epoch), ``negative``,
``sample`` (word2vec.c's keep-probability, drawn anew every epoch), ``vector_size``,
``epochs``, the starting learning rate ``alpha`` and the model (``sg=1`` skip-gram,
``sg=0`` CBOW with the mean). ``hs=1, negative=0`` trains with a hierarchical softmax
instead of negative sampling (appendix A).

Two defaults are word2vec.c's and chapter 5's, not gensim's; pass gensim the same
values to compare like for like. ``alpha`` starts at 0.025 for skip-gram and 0.05 for
CBOW (gensim starts both at 0.025), and decays linearly to zero, never going below
``1e-4 * alpha`` (gensim decays to ``min_alpha=1e-4``). CBOW's backward pass follows
``cbow_update``: ``"word2vec"`` gives every context word the whole error, as word2vec.c
and gensim do; ``"exact"`` gives each its ``1/n`` share, the true gradient of the
mean (chapters 3 and 5).
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


def train_word2vec(sentences: Sequence[Sequence[str]], *, sg: int = 1, hs: int = 0,
                   vector_size: int = 100,
                   window: int = 5, negative: int = 5, sample: float = 1e-3, min_count: int = 5,
                   epochs: int = 5, alpha: float | None = None, batch_size: int = 512, seed: int = 0,
                   cbow_update: str = "word2vec", device: torch.device | str = "cpu",
                   progress: bool = True) -> Word2VecRun:
    """Train skip-gram (``sg=1``) or CBOW (``sg=0``) with negative sampling on tokenized
    sentences, with gensim's parameter names (see the module's docstring for the two
    defaults that differ from gensim's).

    Introduced in chapter 6. ``hs=1`` with ``negative=0`` (appendix A) replaces negative
    sampling by a hierarchical softmax over the vocabulary's Huffman tree, as gensim's
    ``hs=1, negative=0`` does.
    """
    if cbow_update not in ("word2vec", "exact"):
        raise ValueError(f"cbow_update must be 'word2vec' or 'exact', got {cbow_update!r}.")
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
    whole_error = cbow_update == "word2vec"
    noise = {}
    if hs and sg:
        model = HierarchicalSkipGram(huffman_tree(vocab.counts), vector_size, generator=generator)
    elif hs:
        model = HierarchicalCBOW(huffman_tree(vocab.counts), vector_size, generator=generator,
                                 whole_error=whole_error)
    else:
        model = (SGNS(len(vocab), vector_size, generator=generator) if sg else
                 CBOWNS(len(vocab), vector_size, generator=generator, whole_error=whole_error))
        noise = dict(sampler=AliasSampler(noise_distribution(counts)), negatives=negative)
    history = train(model, make, epochs=epochs, batch_size=batch_size,
                    lr=alpha if alpha is not None else (0.025 if sg else 0.05), seed=seed,
                    device=device, progress=progress, **noise)
    effective = float((counts.double() * keep).sum())
    return Word2VecRun(WordVectors.from_model(model.vectors.cpu(), vocab), history, effective)
