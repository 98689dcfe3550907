"""Training on several processes, GPUs or machines with ``torch.distributed`` (appendix B).

Data parallelism: every process holds a whole copy of the two tables and trains on its
own *shard* of the corpus, a run of whole sentences; the shards of the processes cover
every token of the corpus exactly once, so an epoch of all the processes together is
one epoch of the corpus. The processes step in lockstep (a process whose shard is used
up for this epoch joins the exchanges with nothing to send) and keep their tables in
agreement with ``torch.distributed``'s collectives, in one of two ways:

* ``sync="sparse"``: after every step, each process sends the rows its step changed
  and their updates (``all_gather``), and every process adds everyone's updates, in the
  order of the ranks, to its tables. A step of word2vec touches a few thousand rows of
  tables with hundreds of thousands, so this sends little; the result is a step on the
  batches of all the processes together.
* ``sync="average"``: every ``average_every`` steps, the tables are averaged
  (``all_reduce``, then divided by the number of processes): model averaging, or local
  SGD. It sends both whole tables, whatever the steps touched; between averages the
  tables drift apart. An average divides every process's updates by the number of
  processes, and a row that one process alone changed (most rows: word2vec's updates
  are sparse) keeps only that share of its update; so each process steps at that many
  times the learning rate, and a row changed by one process moves as one process
  would have moved it. (Without the factor, training goes as at a fraction of the
  rate: on the planted corpus of the tests, two processes averaging every 4 steps
  learnt next to nothing in the two epochs in which one process learns the groups.)

Averaging every 16 steps is the default: on two CPU processes it trained faster than
the sparse exchange, at the same quality (``bench/results/distributed.md``); the
sparse exchange sends fewer bytes when the vocabulary is large (appendix B's model).
:func:`sparse_bytes` and :func:`average_bytes` count what each process sends, from the
shapes. The same code runs with one process (no process group at all: it is then the
fast trainer of chapter 7, step for step), with ``gloo`` on CPUs and ``nccl`` on GPUs
(:func:`backend_for`). ``python -m w2v_lib.train`` launched by ``torchrun`` sets the
group up with :func:`start_process_group`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from .corpus import EncodedCorpus
from .fast_training import FastConfig, FastTrainer

__all__ = ["SYNCS", "DistributedSetupError", "DistributedTrainer", "shard_bounds",
           "shard_corpus", "backend_for", "start_process_group", "sparse_bytes",
           "average_bytes", "touched_rows", "steps_per_epoch", "Link", "LINKS",
           "collective_seconds", "epoch_communication_seconds"]

SYNCS = ("sparse", "average")
# a float32 holds each exchanged number; a row's number travels as the 4 bytes of an
# int32, next to its update
FLOAT_BYTES = 4


class DistributedSetupError(RuntimeError):
    """A distributed run that cannot start as it was set up."""


# --- shards ----------------------------------------------------------------------
def shard_bounds(sentence: torch.Tensor, rank: int, world: int) -> tuple[int, int]:
    """The tokens ``start:end`` of the shard of process ``rank`` out of ``world``.

    Introduced in appendix B. ``sentence[i]`` is the sentence of token ``i`` (as in
    :class:`~w2v_lib.corpus.EncodedCorpus`: sentences follow each other). Shard ``r``
    starts at the first sentence that begins at or after token ``r * T / world`` of the
    ``T`` tokens (shard 0 at token 0) and ends where shard ``r + 1`` starts (the last
    at ``T``): whole sentences, about ``T / world`` tokens each, every token in exactly
    one shard.

    Raises:
        ValueError: ``world`` exceeds the number of sentences, or the sentences are so
            uneven that a shard would be empty.
    """
    if isinstance(rank, bool) or not isinstance(rank, int) or \
            isinstance(world, bool) or not isinstance(world, int):
        raise TypeError(f"rank and world must be whole numbers, got {rank!r} and {world!r}")
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"rank must lie in 0..world-1 with world at least 1, got rank "
                         f"{rank} of {world}")
    total = len(sentence)
    # the first token of every sentence
    starts = torch.nonzero(sentence[1:] != sentence[:-1]).flatten() + 1
    starts = torch.cat([starts.new_zeros(1), starts])
    if world > len(starts):
        raise ValueError(
            f"The corpus has {len(starts):,} sentences, fewer than the {world} processes; "
            f"each process needs whole sentences of its own. Run at most {len(starts):,} "
            "processes (torchrun --nproc_per_node), or train on a larger corpus.")

    def first_at_or_after(r: int) -> int:
        if r == 0:
            return 0
        # a sentence start s with s >= r * T / world, in whole numbers
        target = -(-r * total // world)
        found = int(torch.searchsorted(starts, target))
        return int(starts[found]) if found < len(starts) else total

    start, end = first_at_or_after(rank), (total if rank == world - 1
                                           else first_at_or_after(rank + 1))
    if end <= start:
        raise ValueError(
            f"Shard {rank} of {world} would be empty: one sentence is longer than a "
            f"process's share of the corpus ({total:,} tokens / {world}). Run fewer "
            "processes, or cut long sentences (encode_corpus's max_sentence_length).")
    return start, end


def shard_corpus(corpus: EncodedCorpus, rank: int, world: int) -> EncodedCorpus:
    """The shard of process ``rank`` out of ``world`` (see :func:`shard_bounds`), with
    the whole corpus's vocabulary, so its counts (and with them subsampling and the
    noise distribution) are those of the whole corpus.

    Introduced in appendix B."""
    start, end = shard_bounds(corpus.sentence, rank, world)
    return EncodedCorpus(corpus.ids[start:end], corpus.sentence[start:end], corpus.vocab)


# --- what each scheme sends ------------------------------------------------------------
def sparse_bytes(rows: int, dim: int, world: int) -> int:
    """Bytes each process sends in one step of the sparse scheme: an ``all_gather`` of
    ``rows`` touched rows, each its number and its ``dim`` updates in float32. In a
    ring, every process passes on the ``world - 1`` messages of the others.

    Introduced in appendix B."""
    return (world - 1) * rows * (dim + 1) * FLOAT_BYTES


def average_bytes(vocab_size: int, dim: int, world: int) -> int:
    """Bytes each process sends to average both tables once: an ``all_reduce`` of
    ``2 * vocab_size * dim`` float32 numbers, which in a ring sends ``2 (world - 1) /
    world`` times the data (half to add the pieces up, half to hand the sums round).

    Introduced in appendix B."""
    return round(2 * (world - 1) / world * 2 * vocab_size * dim * FLOAT_BYTES)


def touched_rows(trainer: FastTrainer, steps: int = 20) -> float:
    """The mean number of distinct rows (input and output tables together) that one
    step of ``trainer`` changes, over ``steps`` batches drawn as an epoch draws them
    (nothing is trained): what a process sends in the sparse scheme.

    Introduced in appendix B."""
    cfg = trainer.config
    generator = trainer._generator(0)
    ids, _ = trainer._subsample(generator)
    kept = len(ids) - sum(trainer._padding)
    size = len(trainer.vocab)
    counts = []
    for start in range(0, min(kept, steps * cfg.batch_size), cfg.batch_size):
        batch = min(cfg.batch_size, kept - start)
        _, noise = trainer._draw(batch, generator)
        block = ids[start:start + batch + 2 * cfg.window].long()
        centers = block[cfg.window:cfg.window + batch]
        rows = torch.cat([block, centers + size, noise.flatten().long() + size])
        counts.append(len(torch.unique(rows)))
    return sum(counts) / len(counts)


# --- setting up the processes ------------------------------------------------------------
def backend_for(device: torch.device | str) -> str:
    """The ``torch.distributed`` backend for ``device``: ``nccl`` for CUDA GPUs, ``gloo``
    for CPUs, after checking that this PyTorch has it.

    Introduced in appendix B."""
    device = torch.device(device)
    backend = "nccl" if device.type == "cuda" else "gloo"
    if not dist.is_available() or not dist.is_backend_available(backend):
        advice = ("train on CPUs with --device cpu (gloo), or install a CUDA build of "
                  "PyTorch on Linux, which has nccl" if backend == "nccl" else
                  "install a PyTorch build with distributed support (the Linux, macOS "
                  "and Windows wheels from pytorch.org have gloo)")
        raise DistributedSetupError(
            f"The {backend} backend, which {device.type} processes need to talk to each "
            f"other, is not available in this PyTorch ({torch.__version__}): {advice}.")
    return backend


def start_process_group(device: torch.device) -> tuple[int, int, torch.device]:
    """Join the process group that ``torchrun`` describes in the environment
    (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``), with
    the backend of ``device``; returns ``(rank, world, device)``, where a CUDA device
    without a number becomes the GPU of this process's ``LOCAL_RANK``. Outside
    ``torchrun`` it does nothing and returns ``(0, 1, device)``.

    Introduced in appendix B."""
    if "WORLD_SIZE" not in os.environ or "RANK" not in os.environ:
        return 0, 1, device
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    if device.type == "cuda" and device.index is None:
        if local >= torch.cuda.device_count():
            raise DistributedSetupError(
                f"Process {rank} is number {local} on its machine, but PyTorch sees "
                f"{torch.cuda.device_count()} GPU(s) there: start at most one process "
                "per GPU (torchrun --nproc_per_node).")
        device = torch.device("cuda", local)
    backend = backend_for(device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend)
    return rank, world, device


# --- the trainer ---------------------------------------------------------------------
class DistributedTrainer(FastTrainer):
    """The fast trainer of chapter 7 on one shard of the corpus, in step with the
    other processes of the current process group.

    Introduced in appendix B. Every process builds it with the same corpus and
    settings (after ``torch.distributed.init_process_group``; without a group it is
    one process and trains as :class:`FastTrainer` does, step for step)::

        trainer = DistributedTrainer(corpus, FastConfig(), sync="average")
        trainer.train()
        if trainer.rank == 0:
            trainer.vectors().save("vectors.txt")

    Process ``r`` draws its random numbers from its own generator (rank 0 from the
    one a single process would use), so a run is the same for the same seed and number
    of processes. ``bytes_sent`` counts what this process has sent, from the shapes of
    what it passed to the collectives.
    """

    def __init__(self, corpus: EncodedCorpus, config: FastConfig = FastConfig(),
                 device: torch.device | str = "cpu", sync: str = "average",
                 average_every: int = 16) -> None:
        if sync not in SYNCS:
            raise ValueError(f"sync must be one of {', '.join(SYNCS)}, got {sync!r}")
        if isinstance(average_every, bool) or not isinstance(average_every, int) \
                or average_every < 1:
            raise ValueError(f"average_every must be a whole number of at least 1, got "
                             f"{average_every!r}")
        grouped = dist.is_available() and dist.is_initialized()
        self.rank = dist.get_rank() if grouped else 0
        self.world = dist.get_world_size() if grouped else 1
        self.sync, self.average_every = sync, average_every
        self.shard = shard_corpus(corpus, self.rank, self.world)  # checked first
        self.bytes_sent = 0
        self.exchanged_rows = 0  # rows sent by the sparse scheme, over all steps
        super().__init__(corpus, config, device)

    @classmethod
    def resume(cls, path, corpus: EncodedCorpus, device: torch.device | str = "cpu",
               sync: str = "average", average_every: int = 16) -> DistributedTrainer:
        """Rebuild a run from the checkpoint that rank 0 wrote; every process calls it
        with the same arguments. Each process then replays its random draws up to
        where the run stopped, so it goes on with the numbers it would have drawn."""
        trainer = super().resume(path, corpus, device)
        if sync not in SYNCS:
            raise ValueError(f"sync must be one of {', '.join(SYNCS)}, got {sync!r}")
        trainer.sync, trainer.average_every = sync, average_every
        return trainer

    def to(self, device: torch.device | str) -> DistributedTrainer:
        super().to(device)
        self.shard = self.shard.to(self.device)
        return self

    # --- the hooks of FastTrainer ------------------------------------------------------
    def _epoch_corpus(self) -> EncodedCorpus:
        return self.shard

    def _generator(self, epoch: int) -> torch.Generator:
        generator = super()._generator(epoch)
        if self.rank > 0:  # rank 0 keeps a single process's numbers
            seed = generator.initial_seed()
            generator.manual_seed((seed + self.rank * 0x9E3779B97F4A7C15) % 2**64)
        return generator

    def _alpha(self) -> float:
        # averaging divides every update by the number of processes: step that much
        # farther (see the module's docstring)
        scale = self.world if self.sync == "average" else 1
        return scale * super()._alpha()

    def _apply(self, updates: list[tuple[torch.Tensor, ...]]) -> None:
        if self.world == 1 or self.sync != "sparse":
            super()._apply(updates)
        else:
            self._exchange(updates)

    # --- the two schemes ---------------------------------------------------------------
    def _exchange(self, updates: list[tuple[torch.Tensor, ...]]) -> None:
        """The sparse scheme: send this step's changed rows, summed per row, and add
        every process's rows to the tables, in the order of the ranks, so that every
        process adds the same numbers in the same order and the tables stay equal to
        the bit."""
        size, dim = len(self.vocab), self.config.dim
        if updates:
            # output rows are numbered after the input rows: one message for both
            rows = torch.cat([torch.cat([span, targets + size])
                              for span, _, targets, _ in updates])
            grads = torch.cat([torch.cat([g_in, g_out]) for _, g_in, _, g_out in updates])
            touched, where = torch.unique(rows, return_inverse=True)
            summed = grads.new_zeros(len(touched), dim).index_add_(0, where, grads)
        else:  # this process's shard is used up for this epoch: it sends nothing
            touched = torch.zeros(0, dtype=torch.long, device=self.device)
            summed = torch.zeros(0, dim, device=self.device)
        counts = self._gather_int(len(touched))
        most = max(counts)
        # each row of the message: the row's number (the bits of an int32) and its update
        message = summed.new_zeros(most, dim + 1)
        message[:len(touched), 0] = touched.to(torch.int32).view(torch.float32)
        message[:len(touched), 1:] = summed
        parts = [torch.empty_like(message) for _ in range(self.world)]
        dist.all_gather(parts, message)
        self.bytes_sent += sparse_bytes(most, dim, self.world)
        self.exchanged_rows += len(touched)
        for count, part in zip(counts, parts):  # in the order of the ranks
            part = part[:count]
            ids = part[:, 0].contiguous().view(torch.int32).long()
            is_in = ids < size
            self.w_in.index_add_(0, ids[is_in], part[is_in, 1:])
            self.w_out.index_add_(0, ids[~is_in] - size, part[~is_in, 1:])

    def _average(self) -> None:
        """The averaging scheme: every table becomes the mean of the processes'."""
        for table in (self.w_in, self.w_out):
            dist.all_reduce(table)
            table.div_(self.world)
        self.bytes_sent += average_bytes(len(self.vocab), self.config.dim, self.world)

    def _gather_int(self, value: int) -> list[int]:
        """``value`` of every process, in the order of the ranks."""
        if self.world == 1:
            return [value]
        mine = torch.tensor([value], dtype=torch.long, device=self.device)
        parts = [torch.empty_like(mine) for _ in range(self.world)]
        dist.all_gather(parts, mine)
        return [int(part) for part in parts]

    def _anyone(self, flag: bool) -> bool:
        """Whether ``flag`` holds in any process (so that all decide alike)."""
        if self.world == 1:
            return flag
        value = torch.tensor([int(flag)], device=self.device)
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value)

    # --- the loop's hooks: stepping in lockstep ------------------------------------------
    # FastTrainer.train runs the loop; these say what several processes change in it.
    # An epoch has as many steps as the largest shard needs; the learning rate decays
    # with the effective words of all the processes, and ``stats.words`` counts them
    # all. Checkpoints are written by rank 0 alone, and only where the tables agree
    # (after an exchange or an average); when to write one is decided by rank 0's clock
    # and shared with the others. With one process, the run is step for step
    # FastTrainer's, which the tests check.
    @property
    def _writes(self) -> bool:
        return self.rank == 0

    def _epoch_steps(self, kept: int) -> int:
        self._kept_all = self._gather_int(kept)
        return max(-(-k // self.config.batch_size) for k in self._kept_all)

    def _resume_position(self, generator: torch.Generator, kept: int) -> None:
        # the checkpoint holds rank 0's generator only: every process draws again what
        # its steps before the checkpoint drew
        for batch in range(self.batch):
            if self._size(kept, batch) > 0:
                self._draw(self._size(kept, batch), generator)
        self.generator_state = None

    def _idle_step(self) -> None:
        if self.world > 1 and self.sync == "sparse":
            self._exchange([])  # join the exchange with nothing to add

    def _step_words(self, kept: int, batch: int) -> int:
        return sum(self._size(k, batch) for k in self._kept_all)

    def _after_step(self, steps: int) -> bool:
        synced = self.sync == "sparse" or self.batch == steps \
            or self.batch % self.average_every == 0
        if self.world > 1 and self.sync == "average" and synced:
            self._average()
        return synced

    def _time_to_save(self, due: bool, syncs: int) -> bool:
        # a collective decision, taken every 8 syncs so that it costs little
        return syncs % 8 == 0 and self._anyone(self.rank == 0 and due)


# --- a model of the time spent talking ----------------------------------------------------
def steps_per_epoch(tokens: float, batch_size: int, world: int) -> int:
    """The lockstep steps of an epoch of ``tokens`` effective words shared evenly by
    ``world`` processes, ``batch_size`` centers a step each (appendix B)."""
    return math.ceil(tokens / world / batch_size)


@dataclass(frozen=True)
class Link:
    """What connects the processes, as a model: the bytes per second one process can
    send (its share of the link, in one direction) and the latency of one hop of a
    ring collective."""

    name: str
    bandwidth: float
    latency: float


# Published link rates, and latencies that are assumptions of the model: NVLink 4
# gives an H100 SXM 900 GB/s, 450 GB/s in each direction (NVIDIA's data sheet); an
# Ethernet port of 25 or 100 Gb/s moves 3.125 or 12.5 GB/s. A ring hop is taken to
# cost 5 us on NVLink and 25 us over Ethernet and TCP.
LINKS = {
    "nvlink": Link("8 GPUs, NVLink 4", 450e9, 5e-6),
    "eth25": Link("Ethernet 25 Gb/s", 25e9 / 8, 25e-6),
    "eth100": Link("Ethernet 100 Gb/s", 100e9 / 8, 25e-6),
}


def collective_seconds(sent: float, hops: int, link: Link) -> float:
    """A model of one collective: ``hops`` latencies, then ``sent`` bytes at the
    link's bandwidth (introduced in appendix B)."""
    return hops * link.latency + sent / link.bandwidth


def epoch_communication_seconds(sync: str, tokens: float, batch_size: int, world: int,
                                vocab_size: int, dim: int, rows_per_step: float,
                                link: Link, average_every: int = 16) -> float:
    """A model of the seconds one epoch spends in collectives, with the bytes each
    process sends counted as the trainer sends them.

    Introduced in appendix B. ``sparse``: every step, an ``all_gather`` of each
    process's ``rows_per_step`` rows (and a tiny one of their number): ``2 (world - 1)``
    hops. ``average``: every ``average_every`` steps, an ``all_reduce`` of each table,
    ``2 (world - 1)`` hops each. Nothing overlaps with computing in this model, as
    nothing does in the trainer."""
    if world == 1:
        return 0.0
    steps = steps_per_epoch(tokens, batch_size, world)
    if sync == "sparse":
        rows = math.ceil(rows_per_step)
        return steps * collective_seconds(sparse_bytes(rows, dim, world),
                                          2 * (world - 1), link)
    if sync == "average":
        rounds = math.ceil(steps / average_every)
        return rounds * collective_seconds(average_bytes(vocab_size, dim, world),
                                           2 * 2 * (world - 1), link)
    raise ValueError(f"sync must be one of {', '.join(SYNCS)}, got {sync!r}")
