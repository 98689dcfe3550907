"""The fast trainer's CUDA path, tested without a GPU.

PyTorch's FakeTensorMode makes tensors that carry a shape, a dtype and a device but no
data: a ``cuda`` tensor can exist on a machine with no GPU, operators compute only the
shapes of their results, and an operator that mixes a ``cuda`` tensor with a CPU one
raises, as it would on a real GPU. Every test here moves a trainer to ``cuda:0`` under
that mode and runs what a training run does on the device: the subsampling of an
epoch, the draws of a batch, the step, and a run resumed from a checkpoint. A tensor
left on the host anywhere in these paths fails the test.

What cannot run this way: anything that reads a value back (the length of the
subsampled epoch, the loss as a Python float), which is why the training loop itself
is not run here; its device work is the calls below.
"""

from __future__ import annotations

import random

import pytest
import torch
from torch._subclasses.fake_tensor import FakeTensor, FakeTensorDeviceMismatchError, FakeTensorMode
from torch.fx.experimental.symbolic_shapes import ShapeEnv

from w2v_lib.corpus import encode_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.roofline import OpCounter

CUDA = torch.device("cuda:0")


def small_corpus():
    rng = random.Random(0)
    words = [f"w{i}" for i in range(50)]
    sentences = [rng.choices(words, weights=[1 / (i + 1) for i in range(50)],
                             k=rng.randint(2, 30)) for _ in range(200)]
    return encode_corpus(lambda: iter(sentences), min_count=1)


def fake_cuda() -> FakeTensorMode:
    """Enter with ``with fake_cuda():``. A trainer is built on the host first (it reads
    its corpus's counts), then moved to ``cuda:0`` inside. The shape environment lets
    data-dependent sizes (the tokens an epoch keeps) stay symbolic."""
    return FakeTensorMode(allow_non_fake_inputs=True, shape_env=ShapeEnv())


def device_state(trainer: FastTrainer) -> dict[str, torch.Tensor]:
    return {"ids": trainer.corpus.ids, "sentence": trainer.corpus.sentence,
            "keep": trainer.keep, "noise keep": trainer.noise.keep,
            "noise alias": trainer.noise.alias, "w_in": trainer.w_in,
            "w_out": trainer.w_out}


def run_batch(trainer: FastTrainer, size: int, want_loss: bool = True):
    """The device work of one batch, on a made-up span of the epoch (its values do
    not matter: nothing is computed)."""
    window, tile = trainer.config.window, trainer.config.tile
    length = size + 2 * window + tile
    ids = torch.randint(0, len(trainer.vocab), (length,), dtype=torch.int32, device=CUDA)
    sentence = torch.zeros(length, dtype=torch.int32, device=CUDA)
    # a CPU generator: fake kernels draw nothing, so its device is never checked
    reduced, noise = trainer._draw(size, torch.Generator())
    loss = trainer.step(ids, sentence, 0, size, reduced, noise, 0.025, want_loss)
    return reduced, noise, loss


@pytest.mark.parametrize("model", ["sgns", "cbow"])
@pytest.mark.parametrize("update", ["capped", "summed"])
@pytest.mark.parametrize("tile,size", [(1, 64), (8, 64), (8, 61)])  # 61: a padded tile
def test_a_step_runs_on_cuda_with_nothing_left_on_the_host(model, update, tile, size):
    trainer = FastTrainer(small_corpus(), FastConfig(model=model, dim=16, window=3,
                                                     tile=tile, update=update))
    with fake_cuda():
        trainer.to(CUDA)
        for name, tensor in device_state(trainer).items():
            assert isinstance(tensor, FakeTensor) and tensor.device == CUDA, name
        with OpCounter() as counter:
            reduced, noise, loss = run_batch(trainer, size)
        assert counter.transfers == []  # no copy between host and device either
        assert reduced.device == noise.device == loss.device == CUDA
        assert loss.shape == ()
        assert trainer.w_in.device == trainer.w_out.device == CUDA


def test_an_epochs_subsampling_runs_on_cuda():
    trainer = FastTrainer(small_corpus(), FastConfig(dim=16))
    with fake_cuda():
        trainer.to(CUDA)
        with OpCounter() as counter:
            ids, sentence = trainer._subsample(torch.Generator())
        assert ids.device == sentence.device == CUDA
        assert counter.transfers == []
        assert ids.dtype == torch.int32 and sentence.dtype == torch.int32


def test_a_run_resumed_from_a_checkpoint_trains_on_cuda(tmp_path):
    corpus = small_corpus()
    path = tmp_path / "checkpoint.pt"
    FastTrainer(corpus, FastConfig(dim=16, batch_size=32)).train(
        progress=False, checkpoint=path, stop_after=2)
    resumed = FastTrainer.resume(path, corpus)  # read on the host, as on a GPU machine
    with fake_cuda():
        resumed.to(CUDA)
        for name, tensor in device_state(resumed).items():
            assert tensor.device == CUDA, name
        run_batch(resumed, 32)


@pytest.mark.parametrize("left_behind", ["noise", "keep", "w_out", "w_in", "_row_sums"])
def test_a_tensor_left_on_the_host_is_caught(left_behind):
    # the checks above can fail: leave one piece of state on the CPU and the fake
    # device raises, as a real GPU would
    trainer = FastTrainer(small_corpus(), FastConfig(dim=16, window=3))
    with fake_cuda():
        trainer.to(CUDA)
        setattr(trainer, left_behind, getattr(trainer, left_behind).to("cpu"))
        if left_behind == "keep":
            # chapter 5's subsample() moves its probabilities where the tokens are:
            # no error, but a copy from the host every epoch, which the counter sees
            with OpCounter() as counter:
                trainer._subsample(torch.Generator())
            assert any("cpu -> cuda:0" in transfer for transfer in counter.transfers)
        else:
            with pytest.raises((FakeTensorDeviceMismatchError, RuntimeError),
                               match=r"same device.*(cpu.*cuda:0|cuda:0.*cpu)"):
                run_batch(trainer, 64)


def test_a_step_on_cuda_can_be_counted():
    # the GPU model of chapter 7 counts kernels and bytes this way
    trainer = FastTrainer(small_corpus(), FastConfig(dim=16, window=3))
    with fake_cuda():
        trainer.to(CUDA)
        with OpCounter() as counter:
            run_batch(trainer, 64, want_loss=False)
    assert counter.kernels > 10 and counter.bytes > 64 * 16 * 4
    assert {record.device for record in counter.records} == {"cuda:0"}
