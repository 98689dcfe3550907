"""train(..., total_examples=...): a budget of examples rather than whole epochs
(chapter 5 compares subsampling thresholds at equal training time)."""

import math

import pytest
import torch
from torch import nn

from w2v_lib.negative_sampling import SGNS
from w2v_lib.noise import AliasSampler, noise_distribution
from w2v_lib.training import linear_lr, train


class Sum(nn.Module):
    """A model whose loss is w times the mean input: each SGD step subtracts the step's
    learning rate times the sum of its batch (the loss of a batch is its sum)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros((), dtype=torch.float64))

    def loss(self, x):
        return self.w * x.mean()


def counting_maker(n):
    calls = []

    def make(epoch, generator):
        calls.append(epoch)
        return (torch.ones(n, dtype=torch.float64),)
    return make, calls


def test_a_budget_trains_exactly_that_many_examples_and_cuts_the_last_epoch():
    make, calls = counting_maker(100)
    history = train(Sum(), make, epochs=10, total_examples=250, batch_size=32,
                    lr=0.1, progress=False)
    assert history.examples == 250 and history.epochs == 3 and calls == [0, 1, 2]


def test_the_learning_rate_decays_with_the_share_of_the_budget_done():
    # brute force: every step's rate from the examples done before it, batch by batch
    make, _ = counting_maker(100)
    model = Sum()
    train(model, make, epochs=10, total_examples=250, batch_size=32, lr=0.1, progress=False)
    expected, done = 0.0, 0
    for _ in range(3):  # three epochs: 100, 100 and the 50 the budget has left
        left = min(100, 250 - done)
        for start in range(0, left, 32):
            size = min(32, left - start)
            expected -= linear_lr(0.1, done, 250) * size
            done += size
    assert done == 250 and float(model.w.detach()) == pytest.approx(expected, rel=1e-12)


def test_a_budget_of_whole_epochs_trains_as_the_epochs_do():
    # full batches: the share of the budget done is the share of the epochs done
    counts = torch.tensor([50, 30, 20, 10, 5, 5])
    pairs = (torch.randint(0, 6, (512,), generator=torch.Generator().manual_seed(1)),
             torch.randint(0, 6, (512,), generator=torch.Generator().manual_seed(2)))
    sampler = AliasSampler(noise_distribution(counts))
    tables = []
    for kwargs in ({"epochs": 3}, {"epochs": 7, "total_examples": 3 * 512}):
        model = SGNS(6, 4, generator=torch.Generator().manual_seed(0))
        history = train(model, pairs, batch_size=64, sampler=sampler, progress=False, **kwargs)
        tables.append((model.w_in.weight.detach().clone(), model.w_out.weight.detach().clone()))
        assert history.examples == 3 * 512 and history.epochs == 3
    assert all(torch.equal(a, b) for a, b in zip(*tables))


def test_the_loss_history_ends_at_the_budget():
    make, _ = counting_maker(100)
    history = train(Sum(), make, epochs=10, total_examples=250, batch_size=32, lr=0.1,
                    log_every=1000, progress=False)
    assert history.steps == [math.ceil(100 / 32) * 2 + math.ceil(50 / 32)]


def test_too_few_epochs_for_the_budget_is_an_error():
    make, _ = counting_maker(100)
    with pytest.raises(ValueError, match="2 epochs held 200 examples, fewer than total_examples=250"):
        train(Sum(), make, epochs=2, total_examples=250, batch_size=32, progress=False)


@pytest.mark.parametrize("total", [0, -5])
def test_a_budget_must_be_positive(total):
    make, _ = counting_maker(100)
    with pytest.raises(ValueError, match="total_examples must be at least 1"):
        train(Sum(), make, epochs=2, total_examples=total, progress=False)
