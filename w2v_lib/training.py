"""A small training loop that the models of chapters 2 to 5 share (chapter 2).

It is plain minibatch SGD, as in the word2vec papers, with the learning rate decaying
linearly from its starting value to (almost) zero over the whole run. The loss of a
batch is the *sum* over its examples, so that one step moves each looked-up vector as
far as the same examples would one after another in word2vec.c; the history records
the *mean* loss per example, which is what one wants to plot.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm import tqdm

__all__ = ["History", "linear_lr", "train"]


@dataclass
class History:
    """What a run did: the mean loss every ``log_every`` steps, and how fast it went."""

    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    examples: int = 0

    @property
    def examples_per_second(self) -> float:
        return self.examples / self.seconds if self.seconds > 0 else float("nan")


def linear_lr(start: float, step: int, total_steps: int, floor: float = 1e-4) -> float:
    """The learning rate at ``step`` of ``total_steps``: linear from ``start`` to zero.

    Introduced in chapter 2. As in word2vec.c, it never goes below ``floor * start``,
    so the last steps still learn a little.
    """
    return start * max(1.0 - step / total_steps, floor)


def train(model: nn.Module, examples: Sequence[torch.Tensor], *, epochs: int = 1,
          batch_size: int = 256, lr: float = 0.025, seed: int = 0, log_every: int = 20,
          progress: bool = True, device: torch.device | str | None = None) -> History:
    """Train ``model`` by SGD on ``examples``, a tuple of tensors of one length whose
    batches are passed to ``model.loss(*batch)``.

    Introduced in chapter 2. The examples are shuffled every epoch with a generator
    seeded by ``seed``, so that a run on the CPU can be repeated exactly.
    """
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise ValueError(f"epochs and batch_size must be at least 1 and lr positive; got "
                         f"epochs={epochs}, batch_size={batch_size}, lr={lr}.")
    n = len(examples[-1])
    if n == 0 or any(len(t) != n for t in examples):
        raise ValueError("examples must be non-empty tensors of one length; got lengths "
                         f"{[len(t) for t in examples]}. An empty corpus or a window that "
                         "found no pairs gives nothing to train on.")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(n / batch_size)
    total_steps = epochs * steps_per_epoch
    generator = torch.Generator().manual_seed(seed)
    history, running, counted = History(), 0.0, 0
    bar = tqdm(total=total_steps, file=sys.stdout, disable=not progress, unit="step",
               mininterval=1.0, ascii=True)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator)
        for i in range(steps_per_epoch):
            step = epoch * steps_per_epoch + i
            batch_index = order[i * batch_size:(i + 1) * batch_size]
            batch = [t[batch_index].to(device) for t in examples]
            for group in optimizer.param_groups:
                group["lr"] = linear_lr(lr, step, total_steps)
            mean_loss = model.loss(*batch)
            optimizer.zero_grad()
            (mean_loss * len(batch_index)).backward()  # the sum over the batch
            optimizer.step()
            running += mean_loss.item() * len(batch_index)
            counted += len(batch_index)
            if (step + 1) % log_every == 0 or step + 1 == total_steps:
                history.steps.append(step + 1)
                history.losses.append(running / counted)
                bar.set_postfix(epoch=epoch + 1, loss=f"{history.losses[-1]:.3f}")
                running, counted = 0.0, 0
            bar.update(1)
    bar.close()
    history.seconds = time.perf_counter() - start
    history.examples = epochs * n
    return history
