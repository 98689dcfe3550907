"""Skip-gram with a full softmax (chapter 2).

The model has two tables of vectors, both of shape ``(V, d)``: ``w_in`` holds the
*input* vectors ``v_w`` (the center's, in skip-gram; the embeddings we keep at the end)
and ``w_out`` the *output* vectors ``u_w``. The
probability that word ``o`` appears in the window of center word ``c`` is

    p(o | c) = exp(u_o . v_c) / sum_w exp(u_w . v_c),

a softmax over the whole vocabulary. Training minimises the cross-entropy
``-log p(o | c)`` over all (center, context) pairs. Every step computes ``V`` scores
per pair, which is why this model does not scale (chapter 4 fixes that).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["SkipGram", "init_tables", "softmax_cross_entropy_grad", "skipgram_grads"]


def init_tables(vocab_size: int, dim: int, generator: torch.Generator | None = None
                ) -> tuple[nn.Embedding, nn.Embedding]:
    """The two tables of a word2vec model, initialised as word2vec.c does.

    Introduced in chapter 2. Returns ``(w_in, w_out)``. Input vectors start uniform in
    ``[-0.5/d, 0.5/d]``, small and different so that words can drift apart; output
    vectors start at zero. These are word2vec.c's ``syn0`` and ``syn1`` (``syn1neg``
    with negative sampling), and gensim's ``wv.vectors`` and ``syn1neg``.
    """
    if vocab_size < 1 or dim < 1:
        raise ValueError(f"vocab_size and dim must be at least 1, got {vocab_size} and {dim}.")
    w_in = nn.Embedding(vocab_size, dim)
    w_out = nn.Embedding(vocab_size, dim)
    with torch.no_grad():
        w_in.weight.copy_((torch.rand(vocab_size, dim, generator=generator) - 0.5) / dim)
        w_out.weight.zero_()
    return w_in, w_out


class SkipGram(nn.Module):
    """Skip-gram with a full softmax over the vocabulary.

    Introduced in chapter 2. ``model(centers)`` gives the scores ``u_w . v_c`` of every
    word ``w`` for each center, shape ``(batch, V)``; ``model.loss(centers, contexts)``
    the mean cross-entropy.
    """

    def __init__(self, vocab_size: int, dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.w_in, self.w_out = init_tables(vocab_size, dim, generator)

    def forward(self, centers: torch.Tensor) -> torch.Tensor:
        return self.w_in(centers) @ self.w_out.weight.T

    def loss(self, centers: torch.Tensor, contexts: torch.Tensor) -> torch.Tensor:
        if centers.numel() == 0:
            raise ValueError("Empty batch: there are no (center, context) pairs to learn from.")
        return F.cross_entropy(self(centers), contexts)

    @property
    def vectors(self) -> torch.Tensor:
        """The word vectors to keep: the input table ``w_in``, detached."""
        return self.w_in.weight.detach()


def softmax_cross_entropy_grad(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The gradient of the mean cross-entropy with respect to the scores, by hand.

    Introduced in chapter 2. For one example it is ``softmax(scores) - onehot(target)``:
    push up the score of the right word, push down every other in proportion to its
    probability. The mean over a batch of ``B`` divides by ``B``.
    """
    grad = torch.softmax(scores, dim=1)
    grad[torch.arange(len(targets)), targets] -= 1.0
    return grad / len(targets)


def skipgram_grads(center_vectors: torch.Tensor, output_vectors: torch.Tensor,
                   contexts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradients of the mean skip-gram loss, by hand, through the chain rule.

    Introduced in chapter 2. ``center_vectors`` is ``(B, d)`` (the looked-up ``v_c``),
    ``output_vectors`` is ``(V, d)`` (all ``u_w``). With ``delta = dL/dscores``, of
    shape ``(B, V)``, and ``scores = v_c U^T``: ``dL/dv_c = delta U`` and
    ``dL/dU = delta^T v_c``.
    """
    delta = softmax_cross_entropy_grad(center_vectors @ output_vectors.T, contexts)
    return delta @ output_vectors, delta.T @ center_vectors
