"""CBOW, the continuous bag of words, with a full softmax (chapter 3).

CBOW turns skip-gram around: it predicts the center word from its whole window. The
context vectors are combined into one vector ``h``, their mean (word2vec.c's default)
or their sum, and ``h`` takes the place of ``v_c`` in the softmax:

    p(c | context) = exp(u_c . h) / sum_w exp(u_w . h).

Windows at the edge of a sentence are shorter, so every example carries a mask over
its ``2m`` context slots (see :func:`w2v_lib.windows.cbow_examples`); slots outside
the mask take no part in ``h``, nor in its gradient.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .skipgram import init_tables, softmax_cross_entropy_grad

__all__ = ["CBOW", "combine_contexts", "cbow_grads"]


def combine_contexts(context_vectors: torch.Tensor, mask: torch.Tensor, mean: bool = True) -> torch.Tensor:
    """Combine the context vectors of each example into one vector ``h``.

    Introduced in chapter 3. ``context_vectors`` is ``(B, 2m, d)``, ``mask`` is
    ``(B, 2m)``. Masked-out slots count for nothing, and the mean divides by the number
    of real context words, not by ``2m``.
    """
    weights = mask.to(context_vectors.dtype)
    total = (context_vectors * weights[..., None]).sum(dim=1)
    if not mean:
        return total
    counts = weights.sum(dim=1, keepdim=True)
    if bool((counts == 0).any()):
        raise ValueError("An example has no context word at all (its mask is all False); "
                         "drop such examples before training, as cbow_examples does.")
    return total / counts


class CBOW(nn.Module):
    """CBOW with a full softmax over the vocabulary.

    Introduced in chapter 3. ``model(contexts, mask)`` gives the scores ``u_w . h`` of
    every word for each example, shape ``(batch, V)``.
    """

    def __init__(self, vocab_size: int, dim: int, mean: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.mean = mean
        self.w_in, self.w_out = init_tables(vocab_size, dim, generator)

    def forward(self, contexts: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = combine_contexts(self.w_in(contexts), mask, self.mean)
        return hidden @ self.w_out.weight.T

    def loss(self, contexts: torch.Tensor, mask: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
        if centers.numel() == 0:
            raise ValueError("Empty batch: there are no (contexts, center) examples to learn from.")
        return F.cross_entropy(self(contexts, mask), centers)

    @property
    def vectors(self) -> torch.Tensor:
        """The word vectors to keep: the input (context) table, detached."""
        return self.w_in.weight.detach()


def cbow_grads(context_vectors: torch.Tensor, mask: torch.Tensor, output_vectors: torch.Tensor,
               centers: torch.Tensor, mean: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradients of the mean CBOW loss, by hand.

    Introduced in chapter 3. Returns the gradient for every context slot, shape
    ``(B, 2m, d)`` (zero in masked-out slots), and for the output table, ``(V, d)``.
    ``h`` gets ``delta U``; each real context word gets that share of it: all of it for
    a sum, ``1/n`` of it for a mean of ``n`` words.
    """
    hidden = combine_contexts(context_vectors, mask, mean)
    delta = softmax_cross_entropy_grad(hidden @ output_vectors.T, centers)
    grad_hidden = delta @ output_vectors
    weights = mask.to(context_vectors.dtype)
    if mean:
        weights = weights / weights.sum(dim=1, keepdim=True)
    return grad_hidden[:, None, :] * weights[..., None], delta.T @ hidden
