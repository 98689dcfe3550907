"""Skip-gram and CBOW with negative sampling (chapter 4).

The full softmax compares the observed context word with all ``V`` words. Negative
sampling (Mikolov et al. 2013b) asks a cheaper question: is this word a real context
word, or noise? For a center ``c``, its observed context ``o`` and ``K`` noise words
``n_1 .. n_K`` drawn from the noise distribution (see :mod:`w2v_lib.noise`), the loss is

    L = -log sigmoid(u_o . v_c) - sum_k log sigmoid(-u_{n_k} . v_c)

It touches ``K + 1`` output vectors instead of ``V``.

A noise word may happen to be the observed word itself. word2vec.c and gensim skip
such a draw; so do the models here (``skip_positive=True``): a negative equal to the
positive adds nothing to the loss or the gradient. Chapter 4 measures how often that
happens and whether it matters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .cbow import combine_contexts
from .skipgram import init_tables

__all__ = ["SGNS", "CBOWNS", "negative_sampling_loss", "sgns_grads"]


def negative_sampling_loss(hidden: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
                           weights: torch.Tensor | None = None) -> torch.Tensor:
    """The mean negative-sampling loss of a batch.

    Introduced in chapter 4. ``hidden`` is ``(B, d)`` (``v_c``, or CBOW's ``h``),
    ``positive`` is ``(B, d)`` (``u_o``), ``negative`` is ``(B, K, d)``; ``weights``
    ``(B, K)`` is 1 for a negative that counts and 0 for one that is skipped.
    """
    if hidden.shape[0] == 0:
        raise ValueError("Empty batch: there are no examples to learn from.")
    positive_score = (hidden * positive).sum(dim=-1)
    negative_scores = torch.bmm(negative, hidden[:, :, None]).squeeze(-1)
    negative_terms = F.logsigmoid(-negative_scores)
    if weights is not None:
        negative_terms = negative_terms * weights
    return -(F.logsigmoid(positive_score) + negative_terms.sum(dim=-1)).mean()


def sgns_grads(center: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The gradients of the mean loss by hand, for ``center`` ``(B, d)``, ``positive``
    ``(B, d)`` and ``negative`` ``(B, K, d)``.

    Introduced in chapter 4. With ``sigma`` the sigmoid: the positive score gets
    ``sigma(s_o) - 1`` and each negative score ``sigma(s_k)``; then, as for any dot
    product, each side's gradient is that number times the other side, over ``B``.
    """
    batch = center.shape[0]
    g_positive = torch.sigmoid((center * positive).sum(-1)) - 1.0           # (B,)
    g_negative = torch.sigmoid(torch.bmm(negative, center[:, :, None]).squeeze(-1))  # (B, K)
    grad_center = (g_positive[:, None] * positive + (g_negative[..., None] * negative).sum(1)) / batch
    grad_positive = g_positive[:, None] * center / batch
    grad_negative = g_negative[..., None] * center[:, None, :] / batch
    return grad_center, grad_positive, grad_negative


def _keep(targets: torch.Tensor, negatives: torch.Tensor, skip_positive: bool) -> torch.Tensor | None:
    return (negatives != targets[:, None]).to(torch.float32) if skip_positive else None


class SGNS(nn.Module):
    """Skip-gram with negative sampling.

    Introduced in chapter 4. ``model.loss(centers, contexts, negatives)`` with
    ``negatives`` of shape ``(B, K)``, drawn fresh for every batch.
    """

    def __init__(self, vocab_size: int, dim: int, skip_positive: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.skip_positive = skip_positive
        self.w_in, self.w_out = init_tables(vocab_size, dim, generator)

    def loss(self, centers: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        return negative_sampling_loss(self.w_in(centers), self.w_out(contexts), self.w_out(negatives),
                                      _keep(contexts, negatives, self.skip_positive))

    @property
    def vectors(self) -> torch.Tensor:
        return self.w_in.weight.detach()


class CBOWNS(nn.Module):
    """CBOW with negative sampling: ``h``, the mean (or sum) of the context vectors,
    takes the place of ``v_c``.

    Introduced in chapter 5. ``model.loss(contexts, mask, centers, negatives)``.

    With ``whole_error=True`` (and the mean), the forward pass still uses the mean, but
    the backward pass gives every context word the whole of ``dL/dh`` instead of its
    ``1/n`` share: the update of word2vec.c and of gensim's ``cbow_mean=1`` (chapter 3's
    aside), used in chapter 6 to compare with gensim like for like. The default is the
    exact gradient of the loss.
    """

    def __init__(self, vocab_size: int, dim: int, mean: bool = True, skip_positive: bool = True,
                 generator: torch.Generator | None = None, whole_error: bool = False) -> None:
        super().__init__()
        self.mean = mean
        self.whole_error = whole_error
        self.skip_positive = skip_positive
        self.w_in, self.w_out = init_tables(vocab_size, dim, generator)

    def loss(self, contexts: torch.Tensor, mask: torch.Tensor, centers: torch.Tensor,
             negatives: torch.Tensor) -> torch.Tensor:
        slots = self.w_in(contexts)
        hidden = combine_contexts(slots, mask, self.mean)
        if self.mean and self.whole_error:
            # the value of the mean, the gradient of the sum: each context word then
            # receives the whole dL/dh, as in word2vec.c
            summed = combine_contexts(slots, mask, mean=False)
            hidden = summed - (summed - hidden).detach()
        return negative_sampling_loss(hidden, self.w_out(centers), self.w_out(negatives),
                                      _keep(centers, negatives, self.skip_positive))

    @property
    def vectors(self) -> torch.Tensor:
        return self.w_in.weight.detach()
