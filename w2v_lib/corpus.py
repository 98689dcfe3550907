"""A whole corpus as one tensor of word indices (chapter 7).

Up to chapter 6 a corpus was a Python list of sentences, each a list of strings. That
costs about 60 bytes per token: fine for WikiText-2's 2 million tokens, 6 GB for
WikiText-103's 100 million. Here the corpus is read twice, as a stream, and never held
as strings:

1. the first pass counts the words and builds the vocabulary;
2. the second pass writes every kept token's index into one preallocated ``int32``
   array, and the index of its sentence into a second one.

That is 8 bytes per token (800 MB for WikiText-103), and the two arrays move to the
GPU in one copy. Words below ``min_count`` are dropped, as word2vec.c and gensim drop
them: they are not replaced by an unknown-word token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from itertools import repeat as _repeat

import numpy as np
import torch

from .vocab import Vocab

__all__ = ["EncodedCorpus", "encode_corpus", "wikitext_corpus"]

Sentences = Callable[[], Iterable[Sequence[str]]]


@dataclass
class EncodedCorpus:
    """A corpus as two aligned ``int32`` tensors: ``ids[i]`` is the vocabulary index of
    token ``i`` and ``sentence[i]`` the number of the sentence it belongs to (context
    windows never cross from one sentence into the next).

    Introduced in chapter 7.
    """

    ids: torch.Tensor
    sentence: torch.Tensor
    vocab: Vocab

    def __post_init__(self) -> None:
        if self.ids.shape != self.sentence.shape or self.ids.dim() != 1:
            raise ValueError(
                f"ids and sentence must be two 1-D tensors of the same length, got shapes "
                f"{tuple(self.ids.shape)} and {tuple(self.sentence.shape)}."
            )
        if len(self.ids) == 0:
            raise ValueError("The corpus is empty: no token of it is in the vocabulary.")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def counts(self) -> torch.Tensor:
        """How often each vocabulary word occurs, as a float64 tensor."""
        return torch.tensor(self.vocab.counts, dtype=torch.float64)

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.sentence.nbytes

    def to(self, device: torch.device | str) -> EncodedCorpus:
        return EncodedCorpus(self.ids.to(device), self.sentence.to(device), self.vocab)


def encode_corpus(sentences: Sentences, min_count: int = 5, max_sentence_length: int = 10_000,
                  vocab: Vocab | None = None) -> EncodedCorpus:
    """Encode a corpus streamed by ``sentences()`` into an :class:`EncodedCorpus`.

    Introduced in chapter 7.

    Args:
        sentences: a function that returns a fresh iterable of sentences (lists of
            tokens) each time it is called; it is called twice, once to count and once to
            encode, so a corpus on disk is read as a stream and never held in memory.
        min_count: drop words seen fewer times than this.
        max_sentence_length: cut longer sentences into pieces of this many tokens, as
            gensim does (word2vec.c cuts at 1,000).
        vocab: an existing vocabulary to encode with (then nothing is counted and
            ``min_count`` is not used).
    """
    if not callable(sentences):
        raise TypeError(
            "sentences must be a function that returns a new iterable of sentences on every "
            "call (the corpus is read twice), for example lambda: iter_paragraphs(path)."
        )
    if max_sentence_length < 1:
        raise ValueError(f"max_sentence_length must be at least 1, got {max_sentence_length}.")
    if vocab is None:
        vocab = Vocab.from_tokens(sentences(), min_count=min_count, unk=None)
    size = int(sum(vocab.counts))
    ids = np.empty(size, dtype=np.int32)
    sentence = np.empty(size, dtype=np.int32)
    index, filled, number = vocab.stoi, 0, 0
    for tokens in sentences():
        kept = [i for i in map(index.get, tokens) if i is not None]
        for start in range(0, len(kept), max_sentence_length):
            piece = kept[start:start + max_sentence_length]
            end = filled + len(piece)
            if end > size:
                raise ValueError(
                    "The corpus changed between the two passes: the second pass gave more "
                    "tokens than the first counted. sentences() must give the same corpus "
                    "on every call."
                )
            ids[filled:end] = piece
            sentence[filled:end] = number
            filled, number = end, number + 1
    if filled != size:
        raise ValueError(
            f"The corpus changed between the two passes: the first counted {size:,} kept "
            f"tokens, the second gave {filled:,}. sentences() must give the same corpus "
            "on every call."
        )
    return EncodedCorpus(torch.from_numpy(ids), torch.from_numpy(sentence), vocab)


def wikitext_corpus(name: str = "wikitext-2", split: str = "train", min_count: int = 5,
                    repeat: int = 1) -> EncodedCorpus:
    """Download (if needed) and encode a WikiText split, lowercased, one paragraph per
    sentence; ``repeat`` streams the text that many times, to make a corpus of a larger
    one's size from a smaller one (chapter 7 measures memory on WikiText-2 repeated to
    about 100 million tokens).

    Introduced in chapter 7.
    """
    from .wikitext import ParagraphStream

    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}.")
    stream = ParagraphStream(name, split)
    return encode_corpus(lambda: chain.from_iterable(_repeat(stream, repeat)),
                         min_count=min_count)
