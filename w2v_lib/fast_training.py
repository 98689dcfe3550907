"""Training word2vec fast, with the same code on a CPU and on a GPU (chapter 7).

Chapters 4 and 5 trained on a list of (center, context) pairs made in Python and fed
to an autograd model. This trainer keeps everything on the device and touches only the
rows a batch needs:

* the corpus is one ``int32`` tensor of word indices, with a second one naming each
  token's sentence (:class:`w2v_lib.corpus.EncodedCorpus`);
* every epoch, subsampling is one vectorized draw over the whole tensor; the kept
  tokens are compacted into a new tensor;
* a batch is a contiguous run of ``batch_size`` kept tokens. Their context windows are
  a strided view (``unfold``) of one gathered block of input vectors, so no list of
  pairs is ever built; the reduced window of every center and the sentence boundaries
  become a mask over that view;
* every center draws ``negative`` noise words on the device. They are shared by the
  context words of that center's window, which turns the dot products of a window into
  one small matrix product, as in Ji et al. (2016); word2vec.c draws them anew for every
  pair;
* ``tile`` consecutive centers share one *tile*: the block rows of their windows, all
  scored against all of their targets in one larger product, with the window masks
  laid out as a band (``tile=1``: one window per center);
* the gradients are written by hand (chapter 4's formulas) and added into the two
  tables with ``index_add_``: only the rows of the batch are read or written, and no
  optimizer state exists;
* a row that many pairs of a batch update gets its rate capped by the curvature of its
  loss (``update="capped"``), so that large batches do not diverge; above
  ``LARGE_BATCH`` centers per step the rate and skip-gram's cap grow with the batch
  (:func:`large_batch_factors`), since an epoch then moves every row fewer times;
* the learning rate decays linearly with the share of the run done, as in word2vec.c;
* a run that diverges (a loss or a vector that is not finite, or a loss far above an
  untrained model's) stops with a :class:`DivergenceError`.

Skip-gram follows word2vec.c's orientation: the *context* word's input vector scores
the *center* word's output vector against the noise words' output vectors (with
symmetric windows the pairs are the same as in the other direction). CBOW averages the
input vectors of the window and, like word2vec.c and gensim, gives every context word
the whole error of that average.

A run writes checkpoints that hold the two tables, the position in the epoch and the
state of the random generator, so a run stopped in the middle of an epoch and resumed
ends with the same vectors as a run never stopped (on a CPU; GPU kernels that add
with atomics may sum in a different order).
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields

import torch
import torch.nn.functional as F

from .atomic_write import write_atomically
from .corpus import EncodedCorpus
from .noise import AliasSampler, noise_distribution
from .progress import Progress
from .subsampling import keep_probabilities, subsample
from .training import linear_lr
from .vectors import WordVectors

__all__ = ["FastConfig", "FastTrainer", "CheckpointError", "DivergenceError",
           "FORMAT_VERSION", "LARGE_BATCH", "LARGEST_GROWTH", "large_batch_factors",
           "window_mask",
           "fold_windows", "fold_tiles"]

MODELS = ("sgns", "cbow")
UPDATES = ("capped", "summed")
# the capped update's bound on a row's rate times the bound on the curvature of its
# loss: gradient steps on a quadratic of curvature h converge for rates below 2 / h
# (bench/large_batch.py compared 1 and 2: 2 trains large batches better);
# sigma'(s) = sigma(s) * (1 - sigma(s)) is at most 1/4
CAP = 2.0
SIGMA_PRIME_MAX = 0.25
# centers per step above which the capped update's rate and cap grow with the batch,
# and the size at which they stop growing
LARGE_BATCH = 4096
LARGEST_GROWTH = 16384
# a loss this many times an untrained model's counts as diverged
DIVERGED = 10
# 2: the losses of the current epoch; 3: the config's update and workers; 4: its noise_power
FORMAT_VERSION = 4


def large_batch_factors(model: str, batch_size: int) -> tuple[float, float]:
    """How much the capped update's starting rate and its cap grow at ``batch_size``
    centers per step: ``(rate factor, cap factor)``, both 1 up to ``LARGE_BATCH``.

    A step moves every row it touches once, so an epoch of larger batches moves each
    row fewer times: 85 steps per epoch of WikiText-2 at 16,384 centers, against 2,700
    at 512. Above ``LARGE_BATCH`` centers the rate grows with the square root of
    ``batch_size / LARGE_BATCH`` for both models, and skip-gram's cap in proportion to
    it; CBOW keeps its cap. The growth stops at ``LARGEST_GROWTH`` centers: at 65,536,
    a rate four times and a cap sixteen times larger diverged. These are measured
    choices, not derived ones: ``bench/large_batch.py`` compared larger caps, larger
    rates and both at 16,384 centers (CBOW lost its WS353 with a larger cap), and
    this pair trained as well as 512 centers over three seeds there; see
    ``bench/results/large_batch.md``.
    """
    ratio = min(max(1.0, batch_size / LARGE_BATCH), LARGEST_GROWTH / LARGE_BATCH)
    return math.sqrt(ratio), (ratio if model == "sgns" else 1.0)


def window_mask(span_sentence: torch.Tensor, reduced: torch.Tensor, window: int) -> torch.Tensor:
    """Which window positions are real context words, as a ``(size, 2*window+1)`` bool.

    Introduced in chapter 7. ``span_sentence`` holds the sentence number of ``size +
    2*window`` consecutive tokens (the centers, with ``window`` tokens on each side);
    ``reduced`` holds each center's reduced window, from 1 to ``window``. Position ``j``
    of center ``i`` (offset ``j - window``) is a context when it is not the center, lies
    within the reduced window, and belongs to the center's sentence.
    """
    width = 2 * window + 1
    size = len(span_sentence) - 2 * window
    offsets = torch.arange(-window, window + 1, device=span_sentence.device)
    # (written with narrow and unsqueeze rather than [] so that it also runs on the
    # fake CUDA tensors of the tests)
    centers = span_sentence.narrow(0, window, size).unsqueeze(1)
    same_sentence = span_sentence.unfold(0, width, 1) == centers
    near = offsets.abs() <= reduced.unsqueeze(1)
    return same_sentence & near & (offsets != 0)


def fold_windows(grad_contexts: torch.Tensor, window: int) -> torch.Tensor:
    """Add the gradients of overlapping windows back onto the block of tokens they
    came from: a ``(size, 2*window+1, dim)`` tensor becomes ``(size + 2*window, dim)``.

    Introduced in chapter 7. Position ``j`` of window ``i`` is token ``i + j`` of the
    block, so a token gets the sum over every window it appears in.
    """
    size, width, dim = grad_contexts.shape
    block = grad_contexts.new_zeros(size + width - 1, dim)
    for j in range(width):
        block.narrow(0, j, size).add_(grad_contexts.select(1, j))
    return block


def fold_tiles(grad_tiles: torch.Tensor, stride: int) -> torch.Tensor:
    """:func:`fold_windows` for tiles: add the gradients of overlapping tiles back onto
    the block they came from. Tile ``i`` holds block rows ``i*stride`` to
    ``i*stride + rows - 1``; a ``(tiles, rows, ...)`` tensor becomes
    ``((tiles - 1) * stride + rows, ...)``.

    Introduced in chapter 7. With ``stride=1`` the tiles are the windows and this is
    :func:`fold_windows`; with tiles of ``stride`` centers it takes
    ``ceil(rows / stride)`` additions instead of ``rows``.
    """
    tiles, rows = grad_tiles.shape[:2]
    rest = grad_tiles.shape[2:]
    parts = -(-rows // stride)
    # room for every part to be added as one strided view; the extra rows are cut off
    block = grad_tiles.new_zeros((tiles + parts) * stride, *rest)
    for part in range(parts):
        first, count = part * stride, min(stride, rows - part * stride)
        # rows first..first+count-1 of every tile land at i*stride + first + r
        target = block.narrow(0, first, tiles * stride).view(tiles, stride, *rest)
        target.narrow(1, 0, count).add_(grad_tiles.narrow(1, first, count))
    return block.narrow(0, 0, (tiles - 1) * stride + rows)


class DivergenceError(RuntimeError):
    """Training diverged: the loss or the vectors stopped being finite numbers."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: unreadable, or made for another corpus or run."""


@dataclass(frozen=True)
class FastConfig:
    """The settings of a run, with word2vec.c's defaults.

    Introduced in chapter 7. ``alpha`` ``None`` means 0.025 for skip-gram and 0.05 for
    CBOW; ``batch_size`` counts center tokens (each brings up to ``2 * window``
    context words). ``tile`` centers share one block of rows in the products of a step
    (1: every center its own window). ``update`` ``"capped"`` caps the step of every
    row at what the curvature of its loss allows, so that large batches do not
    diverge, and grows the rate above 4,096 centers (:func:`large_batch_factors`),
    so that they train as well as small ones; ``"summed"`` adds up a batch's updates
    as they are. ``workers`` CPU threads share each step, each on its own shard of the
    batch (on a CPU; a GPU takes one); on two cores one worker, with PyTorch's own
    threads inside every operator, was faster at every batch size
    (``bench/results/workers.md``). ``noise_power`` is the power of the counts in the
    noise distribution (word2vec's 0.75; chapter 8 compares it with 1).
    """

    model: str = "sgns"
    dim: int = 100
    window: int = 5
    negative: int = 5
    sample: float = 1e-3
    epochs: int = 5
    alpha: float | None = None
    min_alpha: float = 1e-4
    batch_size: int = 512
    seed: int = 0
    noise_power: float = 0.75
    tile: int = 8
    update: str = "capped"
    workers: int = 1

    def __post_init__(self) -> None:
        problems = []
        if self.model not in MODELS:
            problems.append(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        for name, low in (("dim", 1), ("window", 1), ("negative", 1), ("epochs", 1),
                          ("batch_size", 1), ("tile", 1), ("workers", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                problems.append(f"{name} must be an integer of at least {low}, got {value!r}")
        if not 0 <= self.sample < 1:
            problems.append(f"sample must be 0 (off) or a small positive threshold such as "
                            f"1e-3, got {self.sample!r}")
        if self.alpha is not None and not self.alpha > 0:
            problems.append(f"alpha must be positive, got {self.alpha!r}")
        if not 0 <= self.noise_power <= 1:
            problems.append(f"noise_power must lie between 0 and 1 (word2vec uses 0.75), "
                            f"got {self.noise_power!r}")
        if self.update not in UPDATES:
            problems.append(f"update must be one of {', '.join(UPDATES)}, got {self.update!r}")
        if not 0 <= self.min_alpha:
            problems.append(f"min_alpha must be 0 or positive, got {self.min_alpha!r}")
        if problems:
            raise ValueError("Invalid training settings: " + "; ".join(problems) + ".")

    @property
    def start_alpha(self) -> float:
        if self.alpha is not None:
            return self.alpha
        return 0.025 if self.model == "sgns" else 0.05


@dataclass
class RunStats:
    """What a run measured: effective words (tokens kept after subsampling) trained on,
    seconds spent training (setting up each epoch included, checkpoints not), and the
    loss of the batches it measured, as ``(effective words so far, loss)``; those of the
    current (or last) epoch are also in ``epoch_losses``. A batch's loss is the mean
    over its (center, context) pairs (CBOW: over its centers), taken before the batch's
    update."""

    words: int = 0
    seconds: float = 0.0
    losses: list[tuple[int, float]] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    @property
    def last_epoch_loss(self) -> float | None:
        """The mean loss of the batches measured in the last epoch, or ``None`` if none
        was: every batch of an epoch of fewer than 40 batches, and in a longer one at
        least 20 batches spread evenly over it (see ``loss_every`` in
        :meth:`FastTrainer.train`)."""
        if not self.epoch_losses:
            return None
        return sum(self.epoch_losses) / len(self.epoch_losses)


@dataclass
class _Shard:
    """What the forward pass of one shard of a step leaves for its backward pass."""

    span: torch.Tensor  # the token ids of the shard's block of input rows
    targets: torch.Tensor  # (centers, 1 + K): each center, then its noise words
    tile_rows: torch.Tensor  # (tiles, rows, dim): the block, tile by tile (a view)
    band: torch.Tensor  # (tiles, rows, tile): 1 where a row is a context of a center
    outputs: torch.Tensor | None = None  # the targets' output vectors
    error: torch.Tensor | None = None  # label - sigma(score), 0 where no pair
    hidden: torch.Tensor | None = None  # CBOW: the mean of each window
    share: torch.Tensor | None = None  # CBOW: each row's weight in each mean
    curvature: tuple | None = None  # capped: rows and their pairs' squares, both tables
    loss: tuple | None = None  # (sum of the losses, number of pairs)


class FastTrainer:
    """Train SGNS or CBOW with negative sampling on an :class:`EncodedCorpus`.

    Introduced in chapter 7::

        trainer = FastTrainer(corpus, FastConfig(model="sgns", dim=100), device="cuda")
        trainer.train()
        vectors = trainer.vectors()
    """

    def __init__(self, corpus: EncodedCorpus, config: FastConfig = FastConfig(),
                 device: torch.device | str = "cpu") -> None:
        if not isinstance(corpus, EncodedCorpus):
            raise TypeError("corpus must be an EncodedCorpus; build one with "
                            "w2v_lib.corpus.encode_corpus or wikitext_corpus.")
        self.config = config
        # how much the capped update's rate and cap grow with the batch (1 and 1 up to
        # LARGE_BATCH centers; the summed update keeps its rate)
        self.rate_factor, self.cap_factor = (
            large_batch_factors(config.model, config.batch_size)
            if config.update == "capped" else (1.0, 1.0))
        self.vocab = corpus.vocab
        counts = corpus.counts
        # everything is prepared on the host, then moved to the device in one place (to)
        self.device = torch.device("cpu")
        self.corpus = corpus
        self.keep = keep_probabilities(counts, config.sample).float()
        # chapter 4's alias method; its tables move to the device, so draws happen there
        self.noise = AliasSampler(noise_distribution(counts, config.noise_power)).to(
            "cpu", torch.float32)
        # the effective words of an epoch, on average: the expected number of kept tokens
        self.words_per_epoch = float((counts * self.keep.double()).sum())
        size, dim = len(self.vocab), config.dim
        init = torch.Generator().manual_seed(config.seed)
        # word2vec.c's start: input vectors uniform in [-0.5/d, 0.5/d), output vectors 0
        self.w_in = (torch.rand(size, dim, generator=init) - 0.5) / dim
        self.w_out = torch.zeros(size, dim)
        # the label of each target: 1 for the center, 0 for its noise words
        self._labels = torch.zeros(config.negative + 1)
        self._labels[0] = 1.0
        self._tile_labels = self._labels.repeat(config.tile)  # the same for a tile
        self._first_column = torch.arange(config.negative + 1) == 0
        # scratch space for the capped update: one number per row of the two tables,
        # zero between steps
        self._row_sums = torch.zeros(2 * size)
        # row r of a tile is offset r - i - window from the tile's center i: its
        # distance when it is a window position other than the center, and
        # window + 1 (farther than any reduced window) when it is not
        rows = config.tile + 2 * config.window
        offset = torch.arange(rows)[:, None] - torch.arange(config.tile) - config.window
        self._tile_offsets = torch.where((offset != 0) & (offset.abs() <= config.window),
                                         offset.abs(), config.window + 1)
        self.epoch, self.batch = 0, 0
        self.words_done = 0.0  # effective words trained on, for the learning rate
        self.generator_state: torch.Tensor | None = None
        self.stats = RunStats()
        self.to(device)
        if config.workers > 1 and self.device.type != "cpu":
            raise ValueError(f"workers={config.workers} splits each step between CPU "
                             f"threads; on {self.device} use workers=1.")
        # the threads that share a step's shards
        self._pool = (ThreadPoolExecutor(config.workers, thread_name_prefix="shard")
                      if config.workers > 1 else None)

    def to(self, device: torch.device | str) -> FastTrainer:
        """Move the corpus, the samplers and the tables to ``device``; returns the
        trainer. Everything a step reads lives there, so a step never crosses between
        host and device."""
        self.device = torch.device(device)
        self.corpus = self.corpus.to(self.device)
        self.keep = self.keep.to(self.device)
        self.noise = self.noise.to(self.device)
        self.w_in = self.w_in.to(self.device)
        self.w_out = self.w_out.to(self.device)
        self._labels = self._labels.to(self.device)
        self._tile_labels = self._tile_labels.to(self.device)
        self._row_sums = self._row_sums.to(self.device)
        self._first_column = self._first_column.to(self.device)
        self._tile_offsets = self._tile_offsets.to(self.device)
        return self

    # --- the parts of an epoch ----------------------------------------------------
    def _generator(self, epoch: int) -> torch.Generator:
        generator = torch.Generator(device=self.device)
        generator.manual_seed(self.config.seed * 1_000_003 + epoch + 1)
        return generator

    @property
    def _padding(self) -> tuple[int, int]:
        """Tokens added before and after an epoch's kept tokens: ``window`` on each side,
        so that every window exists, and a tile more at the end, so that the last batch
        fills whole tiles."""
        return self.config.window, self.config.window + self.config.tile

    def _epoch_corpus(self) -> EncodedCorpus:
        """The tokens an epoch trains on: the whole corpus (appendix B's distributed
        trainer overrides this with its process's shard)."""
        return self.corpus

    def _subsample(self, generator: torch.Generator, chunk: int = 1 << 24
                   ) -> tuple[torch.Tensor, torch.Tensor]:
        """The kept tokens of this epoch and their sentences, with the padding of
        :attr:`_padding`. Every padding token has a sentence of its own (a negative
        number), so it is never a context and never has one."""
        ids, sentence = self._epoch_corpus().ids, self._epoch_corpus().sentence
        kept_ids, kept_sentence = [], []
        # in chunks, so that the random draws of WikiText-103 never take GBs at once
        for start in range(0, len(ids), chunk):
            length = min(chunk, len(ids) - start)
            part = ids.narrow(0, start, length)
            mask = subsample(part, self.keep, generator)  # chapter 5's draw
            kept_ids.append(torch.masked_select(part, mask))
            kept_sentence.append(torch.masked_select(sentence.narrow(0, start, length), mask))
        before, after = self._padding
        pad_ids = torch.zeros(before + after, dtype=ids.dtype, device=self.device)
        pad_sentence = -1 - torch.arange(before + after, dtype=sentence.dtype,
                                         device=self.device)
        return (torch.cat([pad_ids.narrow(0, 0, before), *kept_ids,
                           pad_ids.narrow(0, before, after)]),
                torch.cat([pad_sentence.narrow(0, 0, before), *kept_sentence,
                           pad_sentence.narrow(0, before, after)]))

    def _alpha(self) -> float:
        # chapter 2's linear decay, by effective words, never below min_alpha; the
        # start grows with a batch larger than LARGE_BATCH (large_batch_factors)
        start = self.config.start_alpha * self.rate_factor
        return linear_lr(start, self.words_done, self.config.epochs * self.words_per_epoch,
                         floor=self.config.min_alpha / start)

    def _draw(self, size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Each center's reduced window (uniform in 1..window) and its noise words."""
        reduced = torch.randint(1, self.config.window + 1, (size,), generator=generator,
                                device=self.device)
        return reduced, self.noise.sample((size, self.config.negative), generator)

    # --- one step -----------------------------------------------------------------
    def step(self, ids: torch.Tensor, sentence: torch.Tensor, start: int, size: int,
             reduced: torch.Tensor, noise: torch.Tensor, alpha: float,
             want_loss: bool = False) -> torch.Tensor | None:
        """One SGD step on the ``size`` kept tokens from ``start`` (an index into the
        padded tensors of an epoch: the first center is ``ids[start + window]``), given
        each center's reduced window and noise words, at learning rate ``alpha``.

        Returns the loss per (center, context) pair (per center for CBOW) as a
        0-dimensional tensor on the device, or ``None`` unless ``want_loss``.

        A step has four parts. The batch is cut into ``workers`` shards of whole
        tiles; each shard's forward pass (:meth:`_forward`) reads the tables and
        computes its errors; one pass over every shard's rows gives the capped rates
        (:meth:`_rates`); each shard's backward pass (:meth:`_backward`) turns errors
        into gradients; and the gradients are added into the tables, shard after
        shard. The forward and backward passes of the shards run in parallel threads
        and write nothing shared, so the result does not depend on their timing; it
        is the same batch step as with one worker, up to the order of floating-point
        additions. A shard needs only its slice of the corpus and the tables, so the
        same parts serve shards on other devices.
        """
        tile, workers = self.config.tile, self.config.workers
        tiles = -(-size // tile)
        per_shard = -(-tiles // workers) * tile
        parts = [(first, min(per_shard, size - first))
                 for first in range(0, size, per_shard)]
        shards = self._parallel(
            lambda part: self._forward(ids, sentence, start + part[0], part[1],
                                       reduced.narrow(0, part[0], part[1]),
                                       noise.narrow(0, part[0], part[1]), want_loss),
            parts)
        rates = self._rates(shards, alpha)
        updates = self._parallel(lambda pair: self._backward(pair[0], *pair[1]),
                                 list(zip(shards, rates)))
        self._apply(updates)
        if not want_loss:
            return None
        total = sum(shard.loss[0] for shard in shards)
        return total / sum(shard.loss[1] for shard in shards).clamp(min=1)

    def _apply(self, updates: list[tuple[torch.Tensor, ...]]) -> None:
        """Add a step's gradients into the tables, shard after shard: each update is
        ``(input rows, their gradients, output rows, their gradients)``. (Appendix B's
        distributed trainer overrides this to exchange the rows with other processes.)"""
        for span, grad_block, targets, grad_outputs in updates:  # in order
            self.w_in.index_add_(0, span, grad_block)
            self.w_out.index_add_(0, targets, grad_outputs)

    def _parallel(self, work, items: list) -> list:
        """``[work(item) for item in items]``, on the worker threads when there are
        several (PyTorch releases Python's lock inside its operators)."""
        if self._pool is None or len(items) == 1:
            return [work(item) for item in items]
        return list(self._pool.map(work, items))

    def _forward(self, ids: torch.Tensor, sentence: torch.Tensor, start: int, size: int,
                 reduced: torch.Tensor, noise: torch.Tensor, want_loss: bool) -> _Shard:
        """The first half of a shard's step: gather its rows, score every pair of its
        tiles, and keep the errors (and, for the capped update, each row's curvature)."""
        cfg = self.config
        window, tile, dim, k1 = cfg.window, cfg.tile, cfg.dim, cfg.negative + 1
        tiles = -(-size // tile)
        padded = tiles * tile
        rows = tile + 2 * window
        if padded > size:  # the last batch of an epoch: centers with no context fill it
            reduced = torch.cat([reduced, reduced.new_zeros(padded - size)])
            noise = torch.cat([noise, noise.new_zeros(padded - size, noise.shape[1])])
        span = ids.narrow(0, start, padded + 2 * window).long()
        span_sentence = sentence.narrow(0, start, padded + 2 * window)
        centers = span.narrow(0, window, padded)
        targets = torch.cat([centers.unsqueeze(1), noise.long()], dim=1)  # (padded, 1+K)
        # a noise word that is the center itself is skipped, as in word2vec.c (the
        # first column, the center, is always used)
        useful = (targets != centers.unsqueeze(1)) | self._first_column
        # a tile: `tile` centers and the block rows of their windows, `rows` of them;
        # tile t holds block rows t*tile .. t*tile + rows - 1 (a view, as the windows
        # were). band[t, r, i] is 1 when row r of tile t is a context of its center i:
        # the same sentence, and an offset from the center within the reduced window
        # (window_mask, laid out per tile)
        row_sentence = span_sentence.unfold(0, rows, tile).unsqueeze(2)
        center_sentence = span_sentence.narrow(0, window, padded).view(tiles, 1, tile)
        band = ((row_sentence == center_sentence)
                & (self._tile_offsets <= reduced.view(tiles, 1, tile))).float()
        block = self.w_in.index_select(0, span)
        tile_rows = block.unfold(0, rows, tile).transpose(1, 2)  # (tiles, rows, dim)
        outputs = self.w_out.index_select(0, targets.view(-1))
        shard = _Shard(span, targets, tile_rows, band)
        capped = cfg.update == "capped"
        if cfg.model == "sgns":
            outputs = outputs.view(tiles, tile * k1, dim)
            # pairs[t, r, i*(1+K) + j]: 1 when row r is a context of center i and
            # target j of center i is used
            pairs = (band.unsqueeze(3) * useful.view(tiles, 1, tile, k1)
                     ).view(tiles, rows, -1)
            # every score of the tile in one product: rows against the tile's targets
            scores = torch.bmm(tile_rows, outputs.transpose(1, 2))
            sigma = torch.sigmoid(scores)
            labels, used, pair_count = self._tile_labels, pairs, band.sum()
            if capped:
                # the squared lengths of the vectors on the other side of each row's
                # pairs, summed over the pairs (see _capped_rate)
                row_sq = torch.linalg.vector_norm(block, dim=1).square_()
                out_sq = torch.linalg.vector_norm(outputs, dim=2).square_()
                per_row = torch.bmm(pairs, out_sq.unsqueeze(2))  # (tiles, rows, 1)
                per_out = torch.bmm(pairs.transpose(1, 2),
                                    row_sq.unfold(0, rows, tile).unsqueeze(2))
        else:
            outputs = outputs.view(padded, k1, dim)
            # the mean of each center's context vectors: one product per tile
            count = band.sum(1)  # (tiles, tile): contexts of each center
            shard.share = band / count.clamp(min=1).unsqueeze(1)
            hidden = torch.bmm(shard.share.transpose(1, 2), tile_rows).view(padded, dim, 1)
            shard.hidden = hidden
            scores = torch.bmm(outputs, hidden).view(padded, k1)
            sigma = torch.sigmoid(scores)
            labels, pair_count = self._labels, (count > 0).sum()
            used = useful & (count.view(padded, 1) > 0)
            if capped:
                hidden_sq = torch.linalg.vector_norm(hidden, dim=1).square_()
                out_sq = torch.linalg.vector_norm(outputs, dim=2).square_()
                # a context row's share of its window's sum is 1 / count (word2vec.c
                # gives every context the whole error of the mean)
                per_center = (out_sq * used).sum(1).view(tiles, tile, 1)
                per_row = torch.bmm(shard.share, per_center)  # (tiles, rows, 1)
                per_out = hidden_sq * used
        shard.outputs = outputs
        shard.error = (labels - sigma).mul_(used)
        if want_loss:
            signed = torch.where(labels > 0, scores, -scores)
            shard.loss = (-(F.logsigmoid(signed) * used).sum(), pair_count)
        if capped:
            shard.curvature = (span.unfold(0, rows, tile), per_row, targets, per_out)
        return shard

    def _rates(self, shards: list[_Shard], alpha: float) -> list[tuple]:
        """The rates of each shard's input rows and output rows: ``alpha`` for the
        summed update; for the capped one, each row's rate from all of its pairs in
        the batch, whichever shards they fell in (one pass, see
        :meth:`_capped_rate`; output row ``r`` is entry ``V + r`` of the sums)."""
        if self.config.update == "summed":
            return [(alpha, alpha)] * len(shards)
        size = len(self.vocab)
        rows, curvature, lengths = [], [], []
        for shard in shards:
            in_rows, in_curvature, out_rows, out_curvature = shard.curvature
            rows += [in_rows.reshape(-1), out_rows.reshape(-1) + size]
            curvature += [in_curvature.reshape(-1), out_curvature.reshape(-1)]
            lengths += [in_rows.numel(), out_rows.numel()]
        rates = self._capped_rate(torch.cat(rows), torch.cat(curvature), alpha)
        parts = rates.split(lengths)
        return [(parts[2 * k], parts[2 * k + 1]) for k in range(len(shards))]

    def _backward(self, shard: _Shard, rate_rows: torch.Tensor | float,
                  rate_out: torch.Tensor | float) -> tuple[torch.Tensor, ...]:
        """The second half of a shard's step: the gradients at the given rates, ready
        to be added: ``(block rows, their gradients, target rows, their gradients)``."""
        tile, dim = self.config.tile, self.config.dim
        tiles, rows = shard.band.shape[:2]
        error, outputs = shard.error, shard.outputs
        scalar = not isinstance(rate_rows, torch.Tensor)
        if self.config.model == "sgns":
            if scalar:
                error_rows = error_out = error.mul_(rate_rows)
            else:
                error_rows = error * rate_rows.view(tiles, rows, 1)
                error_out = error * rate_out.view(tiles, 1, -1)
            grad_rows = torch.bmm(error_rows, outputs)  # (tiles, rows, dim)
            grad_outputs = torch.bmm(error_out.transpose(1, 2), shard.tile_rows)
        else:
            if scalar:
                error_out, row_scale = error.mul_(rate_rows), shard.band
            else:
                error_out = error * rate_out.view(error.shape)
                row_scale = shard.band * rate_rows.view(tiles, rows, 1)
            grad_hidden = torch.bmm(error.unsqueeze(1), outputs).view(tiles, tile, dim)
            # every context word receives the whole error of the mean, as in word2vec.c
            grad_rows = torch.bmm(row_scale, grad_hidden)  # (tiles, rows, dim)
            grad_outputs = error_out.unsqueeze(2) * shard.hidden.view(-1, 1, dim)
        # fold the tiles back onto the block: row r of tile t is block row t*tile + r
        return (shard.span, fold_tiles(grad_rows, tile), shard.targets.view(-1),
                grad_outputs.reshape(-1, dim))

    def _capped_rate(self, rows: torch.Tensor, squares: torch.Tensor,
                     alpha: float) -> torch.Tensor:
        """The learning rate of every occurrence of a row in a step: ``alpha``, capped
        at ``CAP / H``, where ``H`` bounds the curvature of the row's loss in the step.

        A row that a step updates through many pairs, computed from the same old
        vectors, gets a summed step that can overshoot; one SGD update after another
        would not, because each sees the last. Along the row, the loss of its pairs
        has a curvature (its Hessian) of at most ``H = sum(sigma'(s_p) * |x_p|**2)``
        over the pairs ``p`` that the row takes part in, with ``x_p`` the vector on
        the other side of the pair, and gradient steps on it stop converging at a
        rate of ``2 / H``. ``sigma'`` is at most 1/4, and is near 0 exactly where a
        pair is badly wrong and its gradient largest, so the bound uses 1/4:
        ``H = sum(|x_p|**2) / 4``, from the ``squares`` of every occurrence. A rate
        of at most ``CAP / H = 2 / H`` never lets a row's steps grow. Above
        ``LARGE_BATCH`` centers per step, skip-gram's cap is ``cap_factor`` times
        larger (:func:`large_batch_factors`).
        """
        sums = self._row_sums.index_add_(0, rows, squares)
        cap = CAP * self.cap_factor / SIGMA_PRIME_MAX
        rate = (cap / sums.index_select(0, rows)).clamp_(max=alpha)
        sums.index_fill_(0, rows, 0.0)  # zero again for the next step
        return rate

    # --- running ------------------------------------------------------------------
    def train(self, progress: bool = True, checkpoint: str | os.PathLike[str] | None = None,
              checkpoint_every: float = 600.0, stop_after: int | None = None,
              loss_every: int = 50) -> RunStats:
        """Train to the end of the last epoch, or until ``stop_after`` more batches.

        Args:
            progress: show a progress line with effective words per second and the loss.
            checkpoint: a file to save the run to every ``checkpoint_every`` seconds and
                at the end (and when stopped by ``stop_after``).
            stop_after: stop after this many batches (a way to interrupt a run on
                purpose; resume it with :meth:`resume`).
            loss_every: measure the loss on one batch in this many (it costs a little);
                in an epoch of fewer than ``20 * loss_every`` batches, measure more
                often, so that every epoch has 20 measured batches (or all of them).

        Raises:
            DivergenceError: the loss or the tables stopped being finite (or the loss
                grew far beyond an untrained model's). It is checked on the batches
                whose loss is measured and, over the whole tables, at the end of every
                epoch and before every checkpoint, which is then not written.
        """
        cfg = self.config
        total_words = int(cfg.epochs * self.words_per_epoch)
        bar = Progress(total_words, unit="word", enabled=progress and self._writes)
        bar.done = int(self.words_done)
        saved_at, batches, syncs = time.perf_counter(), 0, 0
        # several workers share a step: each runs its operators on one thread
        threads = torch.get_num_threads()
        if cfg.workers > 1:
            torch.set_num_threads(1)
        try:
            while self.epoch < cfg.epochs:
                started = time.perf_counter()
                generator = self._generator(self.epoch)
                ids, sentence = self._subsample(generator)
                kept = len(ids) - sum(self._padding)
                steps = self._epoch_steps(kept)
                self._resume_position(generator, kept)
                # batches whose loss is measured: at least 20 per epoch (or all)
                every = max(1, min(loss_every, steps // 20))
                if self.batch == 0:
                    self.stats.epoch_losses = []
                while self.batch < steps:
                    size = self._size(kept, self.batch)
                    loss = None
                    if size > 0:
                        reduced, noise = self._draw(size, generator)
                        loss = self.step(ids, sentence, self.batch * cfg.batch_size, size,
                                         reduced, noise, self._alpha(),
                                         self.batch % every == 0)
                    else:
                        self._idle_step()
                    words = self._step_words(kept, self.batch)
                    self.batch += 1
                    self.words_done += words
                    self.stats.words += words
                    synced = self._after_step(steps)
                    if loss is not None:
                        value = float(loss)
                        self._check_loss(value)
                        self.stats.losses.append((int(self.words_done), value))
                        self.stats.epoch_losses.append(value)
                        bar.set(loss=f"{value:.3f}", epoch=self.epoch + 1)
                    bar.update(words)
                    batches += 1
                    if not synced:  # the processes' tables differ: nothing to save yet
                        continue
                    syncs += 1
                    stopping = stop_after is not None and batches >= stop_after
                    if checkpoint is not None and (stopping or self._time_to_save(
                            time.perf_counter() - saved_at >= checkpoint_every, syncs)):
                        self._check_tables()
                        self._sync()
                        self.stats.seconds += time.perf_counter() - started
                        if self._writes:
                            self.generator_state = generator.get_state()
                            self.save(checkpoint)
                            self.generator_state = None
                        started = saved_at = time.perf_counter()
                    if stopping:
                        self._sync()
                        self.stats.seconds += time.perf_counter() - started
                        self.generator_state = generator.get_state()
                        return self.stats
                self._check_tables()
                self._sync()
                self.stats.seconds += time.perf_counter() - started
                self.epoch, self.batch = self.epoch + 1, 0
            if checkpoint is not None and self._writes:
                self.save(checkpoint)
        finally:
            bar.close()
            torch.set_num_threads(threads)
        return self.stats

    # --- what a run of several processes changes in the loop (appendix B) ------------
    # One process trains alone: every step is its own, its tables are always the ones to
    # save, and it writes the checkpoint itself. DistributedTrainer overrides these.
    _writes = True  # whether this process writes the checkpoint

    def _size(self, kept: int, batch: int) -> int:
        """The centers of step ``batch`` of an epoch of ``kept`` tokens (0 once they are
        used up)."""
        return max(0, min(self.config.batch_size, kept - batch * self.config.batch_size))

    def _epoch_steps(self, kept: int) -> int:
        """The steps of an epoch of ``kept`` tokens."""
        return -(-kept // self.config.batch_size)

    def _resume_position(self, generator: torch.Generator, kept: int) -> None:
        """Put ``generator`` where the checkpoint left it inside this epoch, if it did."""
        if self.generator_state is not None:
            generator.set_state(self.generator_state)
            self.generator_state = None

    def _idle_step(self) -> None:
        """A step with no centers left in this process's epoch (never alone)."""

    def _step_words(self, kept: int, batch: int) -> int:
        """The effective words step ``batch`` trained on."""
        return self._size(kept, batch)

    def _after_step(self, steps: int) -> bool:
        """Whatever follows a step; whether the tables are now the ones to save."""
        return True

    def _time_to_save(self, due: bool, syncs: int) -> bool:
        """Whether to write a checkpoint now, ``due`` by this process's clock."""
        return due

    # --- the divergence guard -----------------------------------------------------
    def _diverged(self, what: str) -> DivergenceError:
        cfg = self.config
        summed = (" or a batch's updates added up without a cap (update='summed')"
                  if cfg.update == "summed" else "")
        advice = "Lower alpha or batch_size" + (", or use update='capped'" if summed else "")
        return DivergenceError(
            f"Training diverged in epoch {self.epoch + 1}, batch {self.batch:,}: {what}. "
            f"The usual causes are a learning rate too high for the batch (alpha "
            f"{cfg.start_alpha * self.rate_factor:g} with batch_size {cfg.batch_size:,} "
            f"here){summed}. "
            f"{advice}. The settings were: {cfg}."
        )

    def _check_loss(self, value: float) -> None:
        """Stop when the loss is not a finite number, or is far above the loss of the
        untrained model, (1 + negative) * ln 2."""
        limit = DIVERGED * (self.config.negative + 1) * math.log(2)
        if not math.isfinite(value):
            raise self._diverged(f"the loss is {value}")
        if value > limit:
            raise self._diverged(f"the loss reached {value:.3g}, more than {DIVERGED} "
                                 f"times the {limit / DIVERGED:.2f} of an untrained model")

    def _check_tables(self) -> None:
        """Stop when a table holds a value that is not finite (a scan of both tables:
        done once an epoch and before each checkpoint, not every step)."""
        if not bool(torch.isfinite(self.w_in).all() & torch.isfinite(self.w_out).all()):
            raise self._diverged("the vectors hold values that are not finite (inf or nan)")

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    @property
    def finished(self) -> bool:
        return self.epoch >= self.config.epochs

    def vectors(self) -> WordVectors:
        """The input vectors, the ones word2vec keeps, with their words."""
        return WordVectors.from_model(self.w_in.cpu(), self.vocab)

    # --- checkpoints --------------------------------------------------------------
    def _fingerprint(self) -> dict[str, int]:
        ids = self.corpus.ids
        weights = torch.arange(1, min(len(ids), 100_000) + 1, device=ids.device)
        return {"tokens": len(ids), "vocab": len(self.vocab),
                "sentences": int(self.corpus.sentence[-1]) + 1,
                "head": int((ids[:len(weights)].long() * weights).sum())}

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the run to ``path`` atomically: a crash while saving leaves the
        previous checkpoint whole."""
        state = {
            "format": FORMAT_VERSION,
            "config": asdict(self.config),
            "corpus": self._fingerprint(),
            "w_in": self.w_in.cpu(),
            "w_out": self.w_out.cpu(),
            "epoch": self.epoch,
            "batch": self.batch,
            "words_done": self.words_done,
            "generator": None if self.generator_state is None else self.generator_state.cpu(),
            "stats": {"words": self.stats.words, "seconds": self.stats.seconds,
                      "losses": [list(item) for item in self.stats.losses],
                      "epoch_losses": list(self.stats.epoch_losses)},
        }
        write_atomically(path, lambda file: torch.save(state, file))

    @classmethod
    def resume(cls, path: str | os.PathLike[str], corpus: EncodedCorpus,
               device: torch.device | str = "cpu") -> FastTrainer:
        """Rebuild a run from its checkpoint, ready to :meth:`train` on from where it
        stopped. ``corpus`` must be the corpus it was trained on."""
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except FileNotFoundError:
            raise
        except Exception as error:
            # the first sentence of torch's message: the rest is advice for other cases
            reason = (str(error).strip().splitlines() or [""])[0].split(". ")[0][:160]
            raise CheckpointError(
                f"{path} is not a readable checkpoint ({type(error).__name__}: {reason}). "
                "Delete it to start the run afresh."
            ) from error
        if not isinstance(state, dict) or state.get("format") != FORMAT_VERSION:
            raise CheckpointError(
                f"{path} is not a checkpoint of this trainer (format "
                f"{state.get('format') if isinstance(state, dict) else None!r}, expected "
                f"{FORMAT_VERSION}). Delete it to start the run afresh."
            )
        trainer = cls(corpus, _checkpoint_config(state, path), device)
        found, expected = state["corpus"], trainer._fingerprint()
        if found != expected:
            raise CheckpointError(
                f"{path} was made on another corpus (tokens, vocabulary size, sentences: "
                f"{found['tokens']:,}, {found['vocab']:,}, {found['sentences']:,}; this "
                f"corpus has {expected['tokens']:,}, {expected['vocab']:,}, "
                f"{expected['sentences']:,}, or a different text). Resume with the corpus "
                "and min_count of the first run, or start afresh."
            )
        _check_checkpoint_run(state, path, trainer)
        trainer.w_in = state["w_in"].to(trainer.device)
        trainer.w_out = state["w_out"].to(trainer.device)
        trainer.epoch, trainer.batch = state["epoch"], state["batch"]
        trainer.words_done = state["words_done"]
        trainer.generator_state = state["generator"]
        stats = state["stats"]
        trainer.stats = RunStats(stats["words"], stats["seconds"],
                                 [(int(w), float(v)) for w, v in stats["losses"]],
                                 [float(v) for v in stats["epoch_losses"]])
        return trainer


# --- checking a checkpoint, field by field ------------------------------------------
# A damaged or foreign checkpoint must stop with an error that names the field, never
# train on (or write vectors from) something that only looks like a run.

_FIELDS = ("format", "config", "corpus", "w_in", "w_out", "epoch", "batch", "words_done",
           "generator", "stats")


def _bad_field(path, name: str, problem: str) -> CheckpointError:
    return CheckpointError(f"{path}: the field {name!r} of the checkpoint {problem}. The file "
                           "is damaged or was not written by this trainer; delete it to "
                           "start the run afresh.")


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _checkpoint_config(state: dict, path) -> FastConfig:
    """The run's settings, once every field is known to be there and nothing else is,
    and the corpus's fingerprint is whole."""
    missing = [name for name in _FIELDS if name not in state]
    if missing:
        raise _bad_field(path, missing[0], "is missing")
    unknown = [name for name in state if name not in _FIELDS]
    if unknown:
        raise _bad_field(path, unknown[0], "is not one this trainer writes")
    corpus = state["corpus"]
    if not isinstance(corpus, dict) or sorted(corpus) != ["head", "sentences", "tokens", "vocab"] \
            or not all(_is_whole(v) for v in corpus.values()):
        raise _bad_field(path, "corpus", "should hold the whole numbers tokens, vocab, "
                         f"sentences and head, got {corpus!r:.80}")
    config, names = state["config"], [f.name for f in fields(FastConfig)]
    if not isinstance(config, dict):
        raise _bad_field(path, "config", f"should be a dict of settings, got {type(config).__name__}")
    for problem, keys in (("lacks the setting", [n for n in names if n not in config]),
                          ("holds an unknown setting", [k for k in config if k not in names])):
        if keys:
            raise _bad_field(path, "config", f"{problem} {keys[0]!r}")
    try:
        return FastConfig(**config)
    except (TypeError, ValueError) as error:
        raise _bad_field(path, "config", f"holds settings that cannot be used ({error})") from None


def _check_checkpoint_run(state: dict, path, trainer: FastTrainer) -> None:
    """The tables, the position in the run, the generator and the statistics, against
    the settings and the corpus of ``trainer``."""
    cfg = trainer.config
    shape = (len(trainer.vocab), cfg.dim)
    for name in ("w_in", "w_out"):
        table = state[name]
        if not isinstance(table, torch.Tensor):
            raise _bad_field(path, name, f"should be a tensor, got {type(table).__name__}")
        if table.dtype != torch.float32 or tuple(table.shape) != shape:
            raise _bad_field(path, name, f"is a {table.dtype} tensor of shape "
                             f"{tuple(table.shape)}; this run needs float32 of shape {shape} "
                             "(vocabulary size, dim)")
        if not bool(torch.isfinite(table).all()):
            raise _bad_field(path, name, "holds NaN or infinite numbers")
    epoch, batch = state["epoch"], state["batch"]
    if not _is_whole(epoch) or not 0 <= epoch <= cfg.epochs:
        raise _bad_field(path, "epoch", f"is {epoch!r}; a run of {cfg.epochs} epochs needs a "
                         f"whole number from 0 to {cfg.epochs}")
    most = 0 if epoch == cfg.epochs else -(-len(trainer.corpus) // cfg.batch_size)
    if not _is_whole(batch) or not 0 <= batch <= most:
        raise _bad_field(path, "batch", f"is {batch!r}; it should be a whole number from 0 to "
                         f"{most}, the batches of an epoch of this corpus")
    words = state["words_done"]
    if not _is_number(words) or not 0 <= words < float("inf"):
        raise _bad_field(path, "words_done", f"is {words!r}, not a number of words")
    generator = state["generator"]
    if generator is None:
        if batch > 0:
            raise _bad_field(path, "generator", "is missing, but the run stopped inside an "
                             "epoch and needs it to go on with the same random numbers")
    else:
        try:
            trainer._generator(epoch).set_state(generator)
        except (TypeError, RuntimeError) as error:
            raise _bad_field(path, "generator", "is not the state of a random generator on "
                             f"{trainer.device} ({error})") from None
    stats = state["stats"]
    if not isinstance(stats, dict) or sorted(stats) != ["epoch_losses", "losses", "seconds",
                                                        "words"]:
        raise _bad_field(path, "stats", "should hold words, seconds, losses and epoch_losses, "
                         f"got {stats!r:.80}")
    if not (_is_whole(stats["words"]) and stats["words"] >= 0 and _is_number(stats["seconds"])
            and 0 <= stats["seconds"] < float("inf")):
        raise _bad_field(path, "stats", "holds a count of words or seconds that is not a "
                         f"non-negative number ({stats['words']!r}, {stats['seconds']!r})")
    pairs_ok = isinstance(stats["losses"], list) and all(
        isinstance(p, (list, tuple)) and len(p) == 2 and all(map(_is_number, p))
        for p in stats["losses"])
    if not pairs_ok or not isinstance(stats["epoch_losses"], list) \
            or not all(map(_is_number, stats["epoch_losses"])):
        raise _bad_field(path, "stats", "holds losses that are not lists of numbers")
