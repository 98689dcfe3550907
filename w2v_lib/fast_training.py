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
* the gradients are written by hand (chapter 4's formulas) and added into the two
  tables with ``index_add_``: only the rows of the batch are read or written, and no
  optimizer state exists;
* the learning rate decays linearly with the share of the run done, as in word2vec.c.

Skip-gram follows word2vec.c's orientation: the *context* word's input vector scores
the *center* word's output vector against the noise words' output vectors. CBOW
averages the input vectors of the window and, like word2vec.c and gensim, gives every
context word the whole error of that average.

A run writes checkpoints that hold the two tables, the position in the epoch and the
state of the random generator, so a run stopped in the middle of an epoch and resumed
ends with the same vectors as a run never stopped (on a CPU; GPU kernels that add
with atomics may sum in a different order).
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field

import torch

from .atomic_write import write_atomically
from .corpus import EncodedCorpus
from .noise import AliasSampler, noise_distribution
from .progress import Progress
from .subsampling import keep_probabilities, subsample
from .training import linear_lr
from .vectors import WordVectors

__all__ = ["FastConfig", "FastTrainer", "CheckpointError", "FORMAT_VERSION", "window_mask",
           "fold_windows"]

MODELS = ("sgns", "cbow")
FORMAT_VERSION = 1


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
    same_sentence = span_sentence.unfold(0, width, 1) == span_sentence[window:window + size, None]
    return same_sentence & (offsets.abs() <= reduced[:, None]) & (offsets != 0)


def fold_windows(grad_contexts: torch.Tensor, window: int) -> torch.Tensor:
    """Add the gradients of overlapping windows back onto the block of tokens they
    came from: a ``(size, 2*window+1, dim)`` tensor becomes ``(size + 2*window, dim)``.

    Introduced in chapter 7. Position ``j`` of window ``i`` is token ``i + j`` of the
    block, so a token gets the sum over every window it appears in.
    """
    size, width, dim = grad_contexts.shape
    block = grad_contexts.new_zeros(size + width - 1, dim)
    for j in range(width):
        block[j:j + size] += grad_contexts[:, j]
    return block


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: unreadable, or made for another corpus or run."""


@dataclass(frozen=True)
class FastConfig:
    """The settings of a run, with word2vec.c's defaults.

    Introduced in chapter 7. ``alpha`` ``None`` means 0.025 for skip-gram and 0.05 for
    CBOW; ``batch_size`` counts center tokens (each brings up to ``2 * window``
    context words). ``noise_power`` is the power of the counts in the noise
    distribution (word2vec's 0.75; chapter 8 compares it with 1).
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

    def __post_init__(self) -> None:
        problems = []
        if self.model not in MODELS:
            problems.append(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        for name, low in (("dim", 1), ("window", 1), ("negative", 1), ("epochs", 1),
                          ("batch_size", 1)):
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
    loss of recent batches."""

    words: int = 0
    seconds: float = 0.0
    losses: list[tuple[int, float]] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0


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
        self.device = torch.device(device)
        self.corpus = corpus.to(self.device)
        self.vocab = corpus.vocab
        counts = corpus.counts
        self.keep = keep_probabilities(counts, config.sample).float().to(self.device)
        # chapter 4's alias method, its tables on the device, so draws happen there
        self.noise = AliasSampler(noise_distribution(counts, config.noise_power)).to(
            self.device, torch.float32)
        # the effective words of an epoch, on average: the expected number of kept tokens
        self.words_per_epoch = float((counts * self.keep.double().cpu()).sum())
        size, dim = len(self.vocab), config.dim
        init = torch.Generator().manual_seed(config.seed)
        # word2vec.c's start: input vectors uniform in [-0.5/d, 0.5/d), output vectors 0
        self.w_in = ((torch.rand(size, dim, generator=init) - 0.5) / dim).to(self.device)
        self.w_out = torch.zeros(size, dim, device=self.device)
        self.epoch, self.batch = 0, 0
        self.words_done = 0.0  # effective words trained on, for the learning rate
        self.generator_state: torch.Tensor | None = None
        self.stats = RunStats()

    # --- the parts of an epoch ----------------------------------------------------
    def _generator(self, epoch: int) -> torch.Generator:
        generator = torch.Generator(device=self.device)
        generator.manual_seed(self.config.seed * 1_000_003 + epoch + 1)
        return generator

    def _subsample(self, generator: torch.Generator, chunk: int = 1 << 24
                   ) -> tuple[torch.Tensor, torch.Tensor]:
        """The kept tokens of this epoch and their sentences, padded with ``window``
        tokens of sentence -1 at each end, so that every batch's windows exist."""
        ids, sentence, window = self.corpus.ids, self.corpus.sentence, self.config.window
        kept_ids, kept_sentence = [], []
        # in chunks, so that the random draws of WikiText-103 never take GBs at once
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            mask = subsample(part, self.keep, generator)  # chapter 5's draw
            kept_ids.append(part[mask])
            kept_sentence.append(sentence[start:start + chunk][mask])
        pad_ids = torch.zeros(window, dtype=ids.dtype, device=self.device)
        pad_sentence = torch.full((window,), -1, dtype=sentence.dtype, device=self.device)
        return (torch.cat([pad_ids, *kept_ids, pad_ids]),
                torch.cat([pad_sentence, *kept_sentence, pad_sentence]))

    def _alpha(self) -> float:
        # chapter 2's linear decay, by effective words, never below min_alpha
        start = self.config.start_alpha
        return linear_lr(start, self.words_done, self.config.epochs * self.words_per_epoch,
                         floor=self.config.min_alpha / start)

    def _draw(self, size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Each center's reduced window (uniform in 1..window) and its noise words."""
        reduced = torch.randint(1, self.config.window + 1, (size,), generator=generator,
                                device=self.device)
        return reduced, self.noise.sample((size, self.config.negative), generator)

    def _step(self, ids: torch.Tensor, sentence: torch.Tensor, start: int, size: int,
              reduced: torch.Tensor, noise: torch.Tensor, alpha: float,
              want_loss: bool = False) -> float | None:
        """One SGD step on the ``size`` kept tokens from ``start`` (an index into the
        padded tensors: the first center is ``ids[start + window]``), given each center's
        reduced window and noise words. Returns the loss per (center, context) pair, or
        ``None`` unless ``want_loss``."""
        cfg = self.config
        window, width = cfg.window, 2 * cfg.window + 1
        span = ids[start:start + size + 2 * window].long()
        span_sentence = sentence[start:start + size + 2 * window]
        centers = span[window:window + size]
        # the windows: row i of `contexts` is the input vectors of span[i : i + width]
        block = self.w_in.index_select(0, span)
        contexts = block.unfold(0, width, 1).transpose(1, 2)  # (size, width, dim), a view
        mask = window_mask(span_sentence, reduced, window)
        targets = torch.cat([centers[:, None], noise.long()], dim=1)  # (size, 1+k)
        # a noise word that is the center itself is skipped, as in word2vec.c
        useful = torch.ones_like(targets, dtype=torch.bool)
        useful[:, 1:] = targets[:, 1:] != centers[:, None]
        outputs = self.w_out.index_select(0, targets.view(-1)).view(size, -1, cfg.dim)
        labels = torch.zeros(targets.shape, device=self.device)
        labels[:, 0] = 1.0
        weights = mask.to(block.dtype)
        loss = None
        if cfg.model == "sgns":
            scores = torch.bmm(contexts, outputs.transpose(1, 2))  # (size, width, 1+k)
            keep = weights[:, :, None] * useful[:, None, :]
            error = (labels[:, None, :] - torch.sigmoid(scores)) * keep
            if want_loss:
                signed = torch.where(labels[:, None, :] > 0, scores, -scores)
                loss = float(-(torch.nn.functional.logsigmoid(signed) * keep).sum()
                             / weights.sum().clamp(min=1))
            error *= alpha
            grad_contexts = torch.bmm(error, outputs)  # (size, width, dim)
            grad_outputs = torch.bmm(error.transpose(1, 2), contexts)  # (size, 1+k, dim)
        else:
            count = weights.sum(1, keepdim=True)
            hidden = torch.bmm((weights / count.clamp(min=1))[:, None, :], contexts)
            scores = torch.bmm(outputs, hidden.transpose(1, 2)).squeeze(2)  # (size, 1+k)
            keep = useful & (count > 0)
            error = (labels - torch.sigmoid(scores)) * keep
            if want_loss:
                signed = torch.where(labels > 0, scores, -scores)
                loss = float(-(torch.nn.functional.logsigmoid(signed) * keep).sum()
                             / keep[:, 0].sum().clamp(min=1))
            error *= alpha
            grad_hidden = torch.bmm(error[:, None, :], outputs)  # (size, 1, dim)
            grad_contexts = weights[:, :, None] * grad_hidden  # every context: the whole error
            grad_outputs = error[:, :, None] * hidden  # (size, 1+k, dim)
        # fold the windows back onto the block: offset j of center i is block row i + j
        self.w_in.index_add_(0, span, fold_windows(grad_contexts, window))
        self.w_out.index_add_(0, targets.view(-1), grad_outputs.reshape(-1, cfg.dim))
        return loss

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
            loss_every: measure the loss on one batch in this many (it costs a little).
        """
        cfg = self.config
        total_words = int(cfg.epochs * self.words_per_epoch)
        bar = Progress(total_words, unit="word", enabled=progress)
        bar.done = int(self.words_done)
        saved_at, batches = time.perf_counter(), 0
        try:
            while self.epoch < cfg.epochs:
                started = time.perf_counter()
                generator = self._generator(self.epoch)
                ids, sentence = self._subsample(generator)
                if self.generator_state is not None:  # resuming inside this epoch
                    generator.set_state(self.generator_state)
                    self.generator_state = None
                kept = len(ids) - 2 * cfg.window
                starts = range(self.batch * cfg.batch_size, kept, cfg.batch_size)
                for start in starts:
                    size = min(cfg.batch_size, kept - start)
                    want_loss = self.batch % loss_every == 0
                    reduced, noise = self._draw(size, generator)
                    loss = self._step(ids, sentence, start, size, reduced, noise,
                                      self._alpha(), want_loss)
                    self.batch += 1
                    self.words_done += size
                    self.stats.words += size
                    if loss is not None:
                        self.stats.losses.append((int(self.words_done), loss))
                        bar.set(loss=f"{loss:.3f}", epoch=self.epoch + 1)
                    bar.update(size)
                    batches += 1
                    stopping = stop_after is not None and batches >= stop_after
                    if checkpoint is not None and (
                            stopping or time.perf_counter() - saved_at >= checkpoint_every):
                        self._sync()
                        self.stats.seconds += time.perf_counter() - started
                        self.generator_state = generator.get_state()
                        self.save(checkpoint)
                        self.generator_state = None
                        started = saved_at = time.perf_counter()
                    if stopping:
                        self._sync()
                        self.stats.seconds += time.perf_counter() - started
                        self.generator_state = generator.get_state()
                        return self.stats
                self._sync()
                self.stats.seconds += time.perf_counter() - started
                self.epoch, self.batch = self.epoch + 1, 0
            if checkpoint is not None:
                self.save(checkpoint)
        finally:
            bar.close()
        return self.stats

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
                      "losses": [list(item) for item in self.stats.losses]},
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
            raise CheckpointError(
                f"{path} is not a readable checkpoint ({type(error).__name__}: {error}). "
                "Delete it to start the run afresh."
            ) from error
        if not isinstance(state, dict) or state.get("format") != FORMAT_VERSION:
            raise CheckpointError(
                f"{path} is not a checkpoint of this trainer (format "
                f"{state.get('format') if isinstance(state, dict) else None!r}, expected "
                f"{FORMAT_VERSION}). Delete it to start the run afresh."
            )
        trainer = cls(corpus, FastConfig(**state["config"]), device)
        found, expected = state["corpus"], trainer._fingerprint()
        if found != expected:
            raise CheckpointError(
                f"{path} was made on another corpus (tokens, vocabulary size, sentences: "
                f"{found['tokens']:,}, {found['vocab']:,}, {found['sentences']:,}; this "
                f"corpus has {expected['tokens']:,}, {expected['vocab']:,}, "
                f"{expected['sentences']:,}, or a different text). Resume with the corpus "
                "and min_count of the first run, or start afresh."
            )
        trainer.w_in = state["w_in"].to(trainer.device)
        trainer.w_out = state["w_out"].to(trainer.device)
        trainer.epoch, trainer.batch = state["epoch"], state["batch"]
        trainer.words_done = state["words_done"]
        trainer.generator_state = state["generator"]
        stats = state["stats"]
        trainer.stats = RunStats(stats["words"], stats["seconds"],
                                 [(int(w), float(v)) for w, v in stats["losses"]])
        return trainer

