"""How fast training could go: kernels, bytes and arithmetic of one step, counted
without running it, and what they mean on a given machine (chapter 7).

A training step of word2vec does little arithmetic for every byte it moves: a dot
product of two rows of 100 numbers is 200 operations on 800 bytes. Such code is
bound by how fast memory delivers the bytes, not by how fast the processor
multiplies; and on a GPU, where each kernel is fast, also by the fixed cost of
launching every kernel from Python.

:class:`OpCounter` records every operator PyTorch runs while it is active, with the
bytes it reads and writes and the arithmetic it does, from the shapes alone. Run
under PyTorch's ``FakeTensorMode`` it counts a step on a ``cuda`` device that does not
exist: nothing is computed, only shapes flow. :func:`predict_words_per_second` turns
such a count into a speed for a GPU described by its published bandwidth, with a
launch cost per kernel; every figure it gives is a model's prediction, not a
measurement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from .timing import median_seconds

if TYPE_CHECKING:
    from .corpus import EncodedCorpus

__all__ = ["OpRecord", "OpCounter", "StepCost", "GPU", "GPUS", "gpu_step_seconds",
           "predict_words_per_second", "step_cost", "zipf_corpus", "copy_bandwidth",
           "matmul_flops"]

aten = torch.ops.aten

# operators that gather rows: they read the rows they return, not the whole table
_GATHERS = {aten.index_select.default, aten.embedding.default, aten.index.Tensor,
            aten.gather.default}
# operators that add rows into a table in place: each touched row is read and written
_SCATTERS = {aten.index_add_.default, aten.index_put_.default, aten.scatter_add_.default,
             aten._index_put_impl_.default, aten.index_add.default,
             aten.scatter_add.default}
# operators that write one value into listed rows: they touch only those rows
_FILLS = {aten.index_fill_.int_Scalar, aten.index_fill.int_Scalar}
_MATMULS = {aten.bmm.default, aten.mm.default, aten.baddbmm.default, aten.addmm.default,
            aten.addbmm.default}
# operators that move no data of their own
_FREE = {aten._local_scalar_dense.default, aten.lift_fresh.default,
         aten.detach.default, aten.alias.default}


def _tensors(values) -> list[torch.Tensor]:
    found = []
    for value in values:
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found += _tensors(value)
    return found


def _extent_bytes(tensor: torch.Tensor) -> int:
    """Bytes a kernel must read to see every element of ``tensor`` once: for a view
    that repeats elements (windows made with ``unfold``), the memory it spans."""
    if tensor.numel() == 0:
        return 0
    span = 1 + sum((size - 1) * abs(stride)
                   for size, stride in zip(tensor.shape, tensor.stride()))
    return min(tensor.numel(), span) * tensor.element_size()


def _nbytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


def copy_bandwidth(nbytes: int = 256 * 2**20, repeats: int = 5) -> float:
    """Memory bandwidth in bytes per second: copies of a float32 tensor of ``nbytes``
    into another read and write every byte once.

    Introduced in chapter 7. A tensor much larger than the caches measures main
    memory; one that fits in a cache measures that cache. Small copies are repeated
    so that each timing covers at least 256 MB; the median of ``repeats`` timings
    (chapter 1's timing)."""
    source = torch.ones(max(nbytes // 4, 1))
    target = torch.empty_like(source)
    copies = max(1, 2**28 // source.nbytes)

    def copy() -> None:
        for _ in range(copies):
            target.copy_(source)

    return 2 * source.nbytes * copies / median_seconds(copy, repeats)


def matmul_flops(size: int = 2048, repeats: int = 5) -> float:
    """This machine's float32 arithmetic rate in operations per second: the product
    of two ``size`` x ``size`` matrices, ``2 size**3`` operations, the best case for
    the cores' vector units.

    Introduced in chapter 7."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    return 2 * size**3 / median_seconds(lambda: a @ b, repeats)


@dataclass(frozen=True)
class OpRecord:
    """One operator: its name, the device it ran on, bytes read and written, and
    floating-point operations (a multiply-add counts as two)."""

    name: str
    device: str
    bytes_read: int
    bytes_written: int
    flops: int

    @property
    def bytes(self) -> int:
        return self.bytes_read + self.bytes_written


def _flops(func, args, outputs: list[torch.Tensor]) -> int:
    if func in _MATMULS:
        # the product of the last two operands: (..., m, k) @ (..., k, n)
        a, b = _tensors(args)[-2:]
        batch = math.prod(a.shape[:-2]) if a.dim() > 2 else 1
        return 2 * batch * a.shape[-2] * a.shape[-1] * b.shape[-1]
    return sum(out.numel() for out in outputs)


def _record(func, args, kwargs, result) -> OpRecord:
    inputs = _tensors(list(args) + list(kwargs.values()))
    outputs = _tensors([result])
    name = func.__name__ if hasattr(func, "__name__") else str(func)
    device = str((outputs or inputs)[0].device) if (outputs or inputs) else "cpu"
    if func in _FILLS:
        table, index = inputs[0], inputs[1]
        row = table.element_size() * (table.numel() // max(table.shape[0], 1))
        read, written = _nbytes(index), index.numel() * row
    elif func in _GATHERS:
        indices = [t for t in inputs[1:] if not t.is_floating_point()]
        moved = sum(_nbytes(out) for out in outputs)
        read, written = moved + sum(map(_nbytes, indices)), moved
    elif func in _SCATTERS:
        table, rest = inputs[0], inputs[1:]
        source = [t for t in rest if t.is_floating_point()]
        indices = [t for t in rest if not t.is_floating_point()]
        rows = sum(map(_nbytes, source))
        # the source and the indices are read; every touched row is read and written
        read, written = rows + sum(map(_nbytes, indices)) + rows, rows
        del table
    else:
        mutated = [args[i] for i, a in enumerate(func._schema.arguments)
                   if i < len(args) and a.alias_info is not None and a.alias_info.is_write]
        read = sum(map(_extent_bytes, inputs))
        written = sum(map(_nbytes, outputs)) if not mutated else sum(map(_nbytes, mutated))
        if func._schema.name in ("aten::fill_", "aten::zero_", "aten::uniform_",
                                 "aten::random_", "aten::normal_", "aten::empty",
                                 "aten::zeros", "aten::full", "aten::empty_strided",
                                 "aten::new_zeros", "aten::new_empty", "aten::arange",
                                 "aten::randint", "aten::rand"):
            read = 0  # these only write
    return OpRecord(name, device, int(read), int(written), int(_flops(func, args, outputs)))


class OpCounter(TorchDispatchMode):
    """Record every operator that runs while the counter is active.

    Introduced in chapter 7::

        with OpCounter() as counter:
            trainer.step(...)
        counter.kernels, counter.bytes

    Views (``view``, ``unfold``, ``transpose``, slices) move no data and are not
    counted. Gathers (``index_select``) count the rows they return, and scatters
    (``index_add_``) count each row they touch as read and written, not the whole
    table. A view that repeats elements, such as the windows of ``unfold``, counts the
    memory it spans once: the repeats come from a cache.
    """

    def __init__(self) -> None:
        super().__init__()
        self.records: list[OpRecord] = []
        # copies between host and device, which a training step should never make
        self.transfers: list[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        if not (func.is_view or func in _FREE or func.namespace == "prim"):
            try:
                self.records.append(_record(func, args, kwargs, result))
            except RuntimeError:
                # a size known only once the data is (the tokens an epoch keeps, on
                # fake tensors): the operator counts, its bytes are unknown
                self.records.append(OpRecord(func.__name__, "?", 0, 0, 0))
            inputs, outputs = _tensors(args), _tensors([result])
            if inputs and outputs and inputs[0].device != outputs[0].device:
                self.transfers.append(f"{func.__name__}: {inputs[0].device} -> "
                                      f"{outputs[0].device}")
        return result

    @property
    def kernels(self) -> int:
        return len(self.records)

    @property
    def bytes(self) -> int:
        return sum(r.bytes for r in self.records)

    @property
    def flops(self) -> int:
        return sum(r.flops for r in self.records)

    def by_operator(self) -> dict[str, tuple[int, int, int]]:
        """Per operator name: (calls, bytes, flops), largest bytes first."""
        table: dict[str, list[int]] = {}
        for r in self.records:
            row = table.setdefault(r.name, [0, 0, 0])
            row[0] += 1
            row[1] += r.bytes
            row[2] += r.flops
        return {name: tuple(row) for name, row in
                sorted(table.items(), key=lambda item: -item[1][1])}


@dataclass(frozen=True)
class StepCost:
    """What one training step costs, counted: ``words`` centers (effective words) in
    ``kernels`` operators that move ``bytes`` and do ``flops`` operations."""

    words: int
    kernels: int
    bytes: int
    flops: int
    records: tuple[OpRecord, ...] = field(default=(), repr=False)

    @classmethod
    def from_counter(cls, counter: OpCounter, words: int) -> StepCost:
        return cls(words, counter.kernels, counter.bytes, counter.flops,
                   tuple(counter.records))

    @property
    def bytes_per_word(self) -> float:
        return self.bytes / self.words

    @property
    def flops_per_byte(self) -> float:
        return self.flops / self.bytes


@dataclass(frozen=True)
class GPU:
    """A GPU as its data sheet describes it: memory bandwidth in bytes per second and
    single-precision (FP32, no tensor cores) arithmetic in operations per second."""

    name: str
    bandwidth: float
    flops: float


# Published peak figures (NVIDIA data sheets): T4 (Colab's free GPU) 320 GB/s and
# 8.1 TFLOPS; A100 SXM 40 GB 1,555 GB/s and 19.5 TFLOPS; H100 SXM 3,350 GB/s and
# 67 TFLOPS.
GPUS = {
    "T4": GPU("T4", 320e9, 8.1e12),
    "A100": GPU("A100", 1555e9, 19.5e12),
    "H100": GPU("H100", 3350e9, 67e12),
}


def gpu_step_seconds(records: Iterable[OpRecord], gpu: GPU, efficiency: float = 0.6,
                     kernel_floor: float = 3e-6) -> float:
    """The time the GPU itself spends on a step: each kernel takes the longer of its
    bytes at ``efficiency`` times the peak bandwidth and its arithmetic at
    ``efficiency`` times the peak rate, and at least ``kernel_floor`` seconds."""
    total = 0.0
    for record in records:
        total += max(record.bytes / (efficiency * gpu.bandwidth),
                     record.flops / (efficiency * gpu.flops), kernel_floor)
    return total


def predict_words_per_second(cost: StepCost, gpu: GPU, launch_seconds: float = 10e-6,
                             efficiency: float = 0.6, kernel_floor: float = 3e-6) -> float:
    """A model of a GPU's effective words per second for a step of ``cost``.

    Introduced in chapter 7. Python issues kernels one after another, each costing
    ``launch_seconds`` of host time (PyTorch's dispatch and the CUDA launch), while
    the GPU runs them (:func:`gpu_step_seconds`); the two overlap, so a step takes the
    longer of the two. Small batches are bound by launches, large ones by memory.
    """
    host = cost.kernels * launch_seconds
    device = gpu_step_seconds(cost.records, gpu, efficiency, kernel_floor)
    return cost.words / max(host, device)


def zipf_corpus(vocab_size: int, tokens: int = 0, seed: int = 0,
                paragraph: int | None = None) -> EncodedCorpus:
    """A made-up corpus of ``vocab_size`` words with Zipf counts: the ``r``-th word has
    the count ``round(1e7 / r)``, and all ``vocab_size`` words are in the vocabulary.

    ``tokens`` tokens are drawn at random with these counts as weights (``seed`` seeds
    the draw), in one sentence, or in sentences of ``paragraph`` tokens. With
    ``tokens = 0`` there is only the vocabulary (and one token): enough to build a
    trainer whose step is then counted (:func:`step_cost`), which never reads the text.

    Introduced in chapter 7; appendix B and ``bench/gpu_measure.py`` draw text from it.
    """
    from .corpus import EncodedCorpus
    from .vocab import Vocab

    counts = {f"w{rank}": max(1, round(1e7 / (rank + 1))) for rank in range(vocab_size)}
    vocab = Vocab(counts, unk=None)
    if tokens <= 0:
        return EncodedCorpus(torch.zeros(1, dtype=torch.int32),
                             torch.zeros(1, dtype=torch.int32), vocab)
    # the vocabulary orders its words by count, so an index's weight is vocab.counts[i]
    weights = torch.tensor(vocab.counts, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    ids = torch.multinomial(weights / weights.sum(), tokens, replacement=True, generator=g)
    sentence = (torch.zeros(tokens, dtype=torch.int32) if paragraph is None else
                torch.arange(tokens, dtype=torch.int32) // paragraph)
    return EncodedCorpus(ids.to(torch.int32), sentence, vocab)


def step_cost(config, vocab_size: int, device: str = "cuda:0",
              corpus: EncodedCorpus | None = None) -> StepCost:
    """Count one training step of :class:`~w2v_lib.fast_training.FastTrainer` with
    ``config`` (``config.batch_size`` centers) on ``device``, without running it.

    Introduced in chapter 7. The trainer is built on the host and moved to ``device``
    under PyTorch's ``FakeTensorMode``: tensors there have shapes but no data, so a
    ``cuda`` step can be counted on a machine without a GPU, and a step on a table of
    millions of rows costs no memory. The step's words are its centers.
    """
    from torch._subclasses.fake_tensor import FakeTensorMode

    from .fast_training import FastTrainer

    trainer = FastTrainer(corpus if corpus is not None else zipf_corpus(vocab_size), config)
    size, window = config.batch_size, config.window
    length = size + 2 * window + config.tile
    with FakeTensorMode(allow_non_fake_inputs=True):
        trainer.to(device)
        ids = torch.randint(0, vocab_size, (length,), dtype=torch.int32, device=device)
        sentence = torch.zeros(length, dtype=torch.int32, device=device)
        with OpCounter() as counter:
            reduced, noise = trainer._draw(size, torch.Generator())
            trainer.step(ids, sentence, 0, size, reduced, noise, 0.025)
    return StepCost.from_counter(counter, size)
