"""Measuring word vectors against human judgements (chapter 4, properly in chapter 6).

Chapters 4 and 5 need one number to compare models trained on the same data; this
module gives them the Spearman correlation between the vectors' cosine similarities
and people's similarity ratings on WordSim353 (shipped with gensim, so it works
offline). Chapter 6 explains the benchmarks and adds analogies.
"""

from __future__ import annotations

import numpy as np
import torch
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

from .vocab import Vocab

__all__ = ["to_keyed_vectors", "wordsim353"]


def to_keyed_vectors(vectors: torch.Tensor, vocab: Vocab) -> KeyedVectors:
    """Our vectors as a gensim ``KeyedVectors``, with the words of ``vocab`` as keys.

    Introduced in chapter 4. The unknown-word token, if any, is left out.
    """
    if vectors.shape[0] != len(vocab):
        raise ValueError(f"vectors has {vectors.shape[0]} rows but the vocabulary has {len(vocab)} words.")
    keep = [i for i, word in enumerate(vocab.itos) if word != vocab.unk]
    keyed = KeyedVectors(vector_size=vectors.shape[1])
    keyed.add_vectors([vocab.itos[i] for i in keep], vectors.detach().cpu().float().numpy()[keep])
    return keyed


def wordsim353(vectors: torch.Tensor, vocab: Vocab) -> tuple[float, float]:
    """The Spearman correlation on WordSim353, and the share of its pairs we could score.

    Introduced in chapter 4. Pairs with a word outside the vocabulary are skipped, as
    gensim's ``evaluate_word_pairs`` does; on a small corpus that is many of them, so
    always read the correlation together with the coverage.
    """
    keyed = to_keyed_vectors(vectors, vocab)
    _, spearman, oov_percent = keyed.evaluate_word_pairs(datapath("wordsim353.tsv"))
    return float(spearman.statistic if hasattr(spearman, "statistic") else spearman[0]), 1 - float(oov_percent) / 100
