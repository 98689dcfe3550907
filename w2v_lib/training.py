"""A small training loop that the models of chapters 2 to 5 share (chapter 2).

It is plain minibatch SGD, as in the word2vec papers, with the learning rate decaying
linearly from its starting value to (almost) zero over the whole run. The loss of a
batch is the *sum* over its examples, so that one step moves each looked-up vector as
far as the same examples would one after another in word2vec.c; the history records
the *mean* loss per example, which is what one wants to plot.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import nn

from .progress import Progress

__all__ = ["History", "linear_lr", "train"]


class Sampler(Protocol):
    """Anything that draws noise words: ``sample(shape, generator) -> int64 tensor``."""

    def sample(self, shape: tuple[int, ...], generator: torch.Generator | None = None) -> torch.Tensor: ...


@dataclass
class History:
    """What a run did: the mean loss every ``log_every`` steps, and how fast it went."""

    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    examples: int = 0
    epochs: int = 0

    @property
    def examples_per_second(self) -> float:
        return self.examples / self.seconds if self.seconds > 0 else float("nan")


def linear_lr(start: float, step: float, total_steps: float, floor: float = 1e-4) -> float:
    """The learning rate at ``step`` of ``total_steps``: linear from ``start`` to zero.

    Introduced in chapter 2. As in word2vec.c, it never goes below ``floor * start``,
    so the last steps still learn a little.
    """
    return start * max(1.0 - step / total_steps, floor)


Examples = Sequence[torch.Tensor]


def train(model: nn.Module, examples: Examples | Callable[[int, torch.Generator], Examples], *,
          epochs: int = 1, batch_size: int = 256, lr: float = 0.025, seed: int = 0,
          log_every: int = 20, progress: bool = True, device: torch.device | str | None = None,
          sampler: Sampler | None = None, negatives: int = 5,
          after_epoch: Callable[[int], None] | None = None) -> History:
    """Train ``model`` by SGD; each batch is passed to ``model.loss(*batch)``.

    Introduced in chapter 2, extended in chapters 4 and 5.

    Args:
        examples: a tuple of tensors of one length (the same examples every epoch), or
            a function ``make(epoch, generator)`` that returns such a tuple, called at
            the start of every epoch (chapter 5 subsamples the corpus anew each time).
        sampler: a noise sampler (chapter 4); each batch then gets ``negatives`` fresh
            noise words per example, appended as the last argument of ``model.loss``.
            ``negatives=0`` passes an empty ``(B, 0)`` tensor: the loss then only pulls
            observed pairs together, the run chapter 4 uses to show why noise is needed.
        after_epoch: called with the epoch's number (from 1) after each epoch, to
            measure the model as it trains (chapter 4); its time is not counted in
            ``History.seconds``.

    All randomness (the shuffles, the noise words, ``make``) comes from one generator
    seeded with ``seed``, so that a run on the CPU can be repeated exactly. The learning
    rate decays linearly with the share of the run done.
    """
    if epochs < 1 or batch_size < 1 or lr <= 0 or negatives < 0:
        raise ValueError(f"epochs and batch_size must be at least 1, negatives at least 0 and lr "
                         f"positive; got epochs={epochs}, batch_size={batch_size}, "
                         f"negatives={negatives}, lr={lr}.")
    make = examples if callable(examples) else (lambda epoch, generator: examples)
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    history, running, counted, step = History(), 0.0, 0, 0
    bar = None
    start = time.perf_counter()
    for epoch in range(epochs):
        tensors = make(epoch, generator)
        n = len(tensors[-1])
        if n == 0 or any(len(t) != n for t in tensors):
            raise ValueError("examples must be non-empty tensors of one length; got lengths "
                             f"{[len(t) for t in tensors]}. An empty corpus or a window that "
                             "found no pairs gives nothing to train on.")
        steps = math.ceil(n / batch_size)
        if bar is None:  # sized by the first epoch; later ones may differ a little
            bar = Progress(epochs * steps, enabled=progress)
        order = torch.randperm(n, generator=generator)
        for i in range(steps):
            batch_index = order[i * batch_size:(i + 1) * batch_size]
            batch = [t[batch_index].to(device) for t in tensors]
            if sampler is not None and negatives == 0:
                batch.append(torch.empty(len(batch_index), 0, dtype=torch.int64, device=device))
            elif sampler is not None:
                batch.append(sampler.sample((len(batch_index), negatives), generator).to(device))
            for group in optimizer.param_groups:
                group["lr"] = linear_lr(lr, epoch + i / steps, epochs)
            mean_loss = model.loss(*batch)
            optimizer.zero_grad()
            (mean_loss * len(batch_index)).backward()  # the sum over the batch
            optimizer.step()
            running += mean_loss.item() * len(batch_index)
            counted += len(batch_index)
            history.examples += len(batch_index)
            step += 1
            if step % log_every == 0 or (epoch == epochs - 1 and i == steps - 1):
                history.steps.append(step)
                history.losses.append(running / counted)
                bar.set(epoch=epoch + 1, loss=f"{history.losses[-1]:.3f}")
                running, counted = 0.0, 0
            bar.update(1)
        if after_epoch is not None:
            measuring = time.perf_counter()
            after_epoch(epoch + 1)
            start += time.perf_counter() - measuring  # the training time leaves it out
    bar.close()
    history.seconds = time.perf_counter() - start
    history.epochs = epochs
    return history
