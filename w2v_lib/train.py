"""Train word2vec from the command line, outside a notebook (chapter 7).

    python -m w2v_lib.train --corpus wikitext-103 --model sgns --dim 300 --epochs 5

writes, into ``--out`` (default ``runs/<corpus>-<model>-<dim>``):

* ``vectors.txt``: the vectors in word2vec's text format (``--binary`` for ``vectors.bin``),
  which gensim's ``KeyedVectors.load_word2vec_format`` reads;
* ``metrics.json``: the settings, the corpus, the device, the effective words per
  second, the training time, the mean loss of the last epoch (``last_epoch_loss``, over
  the ``last_epoch_loss_batches`` batches measured in it, each before its update), and
  the scores of chapter 6 (Google analogies over the 30,000 most frequent words,
  WordSim353, SimLex-999); a score that cannot be computed is ``null``;
* ``checkpoint.pt``: the run so far, saved every ``--checkpoint-every`` seconds. Run the
  same command again after an interruption and training goes on from there.

The same command trains on several processes (appendix B), each on its own shard of
the corpus, when ``torchrun`` starts it; ``gloo`` connects CPU processes and ``nccl``
GPUs, one GPU per process::

    torchrun --nproc_per_node 2 -m w2v_lib.train --corpus wikitext-2 --device cpu

``--sync`` chooses how the processes keep their tables equal (``average``, the default:
both tables averaged every ``--average-every`` steps; ``sparse``: the rows each step
changed, after every step). Rank 0 alone writes the files; the checkpoint of a run of
``N > 1`` processes is ``checkpoint-N-processes.pt``, and resumes with ``N`` processes.

``--corpus`` is a WikiText name (downloaded into ``W2V_DATA_DIR`` if needed) or the path
of a UTF-8 text file with one sentence per line, already tokenized by spaces.

Bad input stops the command before it trains: exit status 2, and one line that says
what is wrong and what to do. Everything that can be checked up front is checked
before the corpus is read (the settings, the device, that the corpus can be read, that
``--out`` can be written); the rest (a corpus that is not UTF-8 text, a vocabulary that
``--min-count`` empties, a damaged checkpoint) as soon as it shows. A folder the
command made for a run that stopped is removed again if nothing was written into it.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import torch
import torch.distributed as dist

from .atomic_write import write_atomically
from .corpus import EncodedCorpus, encode_corpus, wikitext_corpus
from .distributed import SYNCS, DistributedSetupError, DistributedTrainer, start_process_group
from .fast_training import UPDATES, CheckpointError, DivergenceError, FastConfig
from .scale import pick_device
from .vocab import EmptyVocabularyError
from .wikitext import ARCHIVES

WIKITEXT_NAMES = tuple(ARCHIVES)

__all__ = ["main", "build_parser"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value}")
    return value


# every epoch seeds its generator with seed * 1,000,003 + epoch + 1, which must stay
# below 2**64: seeds from 0 to 2**32 - 1 leave room for any practical number of epochs
SEED_LIMIT = 2**32


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {SEED_LIMIT - 1}, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m w2v_lib.train",
        description="Train skip-gram (sgns) or CBOW (cbow) with negative sampling, write the "
                    "vectors in word2vec format and a JSON file of metrics.")
    parser.add_argument("--corpus", default="wikitext-2",
                        help=f"one of {', '.join(WIKITEXT_NAMES)}, or the path of a text file "
                             "with one tokenized sentence per line (default: %(default)s)")
    parser.add_argument("--split", default=None, choices=("train", "valid", "test"),
                        help="the WikiText split (default: train); not for a file corpus")
    parser.add_argument("--model", default="sgns", choices=("sgns", "cbow"))
    parser.add_argument("--dim", type=_positive_int, default=100)
    parser.add_argument("--window", type=_positive_int, default=5)
    parser.add_argument("--negative", type=_positive_int, default=5)
    parser.add_argument("--sample", type=_non_negative_float, default=1e-3,
                        help="subsampling threshold, 0 for none (default: %(default)s)")
    parser.add_argument("--min-count", type=_positive_int, default=5)
    parser.add_argument("--epochs", type=_positive_int, default=5)
    parser.add_argument("--alpha", type=_non_negative_float, default=None,
                        help="starting learning rate (default: 0.025 sgns, 0.05 cbow)")
    parser.add_argument("--batch-size", type=_positive_int, default=FastConfig.batch_size,
                        help="center words per step (default: %(default)s)")
    parser.add_argument("--update", default=FastConfig.update, choices=UPDATES,
                        help="capped: cap every row's step (large batches train like small "
                             "ones); summed: add a batch's updates up as they are "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=_seed, default=0,
                        help=f"0 to {SEED_LIMIT - 1} (default: %(default)s)")
    parser.add_argument("--device", default="auto",
                        help="cpu, cuda, cuda:1, ... or auto (a GPU if there is one)")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")
    parser.add_argument("--workers", type=_positive_int, default=1,
                        help="CPU threads that share each step, each on its own shard of "
                             "the batch; on a CPU, one per core is fastest (default: "
                             "%(default)s; a GPU takes 1)")
    parser.add_argument("--sync", default="average", choices=SYNCS,
                        help="under torchrun: how the processes keep their tables equal; "
                             "average: average both tables every --average-every steps "
                             "(the faster on CPUs, bench/results/distributed.md); sparse: "
                             "exchange the rows each step changed (fewer bytes when the "
                             "vocabulary is large) (default: %(default)s)")
    parser.add_argument("--average-every", type=_positive_int, default=16,
                        help="steps between two averages with --sync average "
                             "(default: %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: runs/<corpus>-<model>-<dim>)")
    parser.add_argument("--binary", action="store_true",
                        help="write vectors.bin in word2vec's binary format")
    parser.add_argument("--checkpoint-every", type=_non_negative_float, default=600.0,
                        help="seconds between checkpoints (default: %(default)s)")
    parser.add_argument("--fresh", action="store_true",
                        help="ignore an existing checkpoint in --out and start again")
    parser.add_argument("--no-eval", action="store_true",
                        help="skip the analogy and similarity scores")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


class _BadInput(Exception):
    """Input the command cannot use: it stops with exit status 2 and this message."""


def _fail(message: str) -> NoReturn:
    raise _BadInput(message)


def _device(name: str) -> torch.device:
    if name == "auto":
        return pick_device()
    try:
        device = torch.device(name)
    except RuntimeError:
        _fail(f"--device {name!r} is not a device; use cpu, cuda, cuda:N or auto.")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            _fail(f"--device {name} asks for a GPU, but PyTorch sees none here; "
                  "use --device cpu (or auto).")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            _fail(f"--device {name}: PyTorch sees {count} GPU(s) here, cuda:0 to "
                  f"cuda:{count - 1}; choose one of them, or auto.")
    elif device.type != "cpu":
        _fail(f"--device {name}: the trainer runs on a CPU or a CUDA GPU, not on "
              f"{device.type!r}; use cpu, cuda, cuda:N or auto.")
    return device


def _corpus_file(args: argparse.Namespace) -> Path | None:
    """The corpus file to read, checked (``None`` for a WikiText name)."""
    if args.corpus in WIKITEXT_NAMES:
        return None
    path = Path(args.corpus)
    if not path.exists():
        _fail(f"--corpus {args.corpus!r} is neither a WikiText name "
              f"({', '.join(WIKITEXT_NAMES)}) nor an existing text file.")
    if path.is_dir():
        _fail(f"--corpus {args.corpus} is a folder; give a text file with one tokenized "
              "sentence per line, or a WikiText name.")
    if args.split is not None:
        _fail(f"--split chooses a part of WikiText, but --corpus {args.corpus} is a file, "
              "which is read whole; leave --split out.")
    try:
        path.open("rb").close()
    except OSError as error:
        _fail(f"--corpus {args.corpus} cannot be read ({error.strerror or error}); check "
              "that it is a file you may read.")
    return path


def _prepare_out(out: Path, created: list[Path]) -> None:
    """Make the output folder (noting in ``created`` the folders made, to remove them
    again if the run stops before writing anything) and check that it can be written,
    so that a run never trains for hours and then finds it cannot save its work."""
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file; give a folder.")
    missing = []
    existing = out
    while not existing.exists() and existing != existing.parent:
        missing.append(existing)
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        _fail(f"--out {out} lies below {existing}, which is a file, not a folder; "
              "choose another --out.")
    try:
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as error:
        _fail(f"--out {out} cannot be written ({error.strerror or error}), so the run "
              "could not save its work; choose a folder you can write to.")


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()  # only if empty: a checkpoint, once written, stays
        except OSError:
            return


_LINE_BREAK = re.compile(r"\r\n?")


def _file_sentences(path: Path, name: str, read: list[int]) -> Callable[[], Iterator[list[str]]]:
    """The sentences of a corpus file, one per line, tokens split at white space; a
    line that is not UTF-8 text stops the run with its number. ``read[0]`` counts the
    tokens seen."""

    def sentences() -> Iterator[list[str]]:
        read[0] = 0
        with open(path, "rb") as lines:  # bytes: a decoding error must name its line
            for number, raw in enumerate(lines, start=1):
                if b"\0" in raw:
                    _fail(f"--corpus {name}, line {number}: holds a NUL byte, so this is a "
                          "binary file or UTF-16 text; give a UTF-8 text file with one "
                          "tokenized sentence per line.")
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    _fail(f"--corpus {name}, line {number}, byte {error.start + 1}: "
                          f"{raw[error.start:error.end]!r} is not UTF-8; convert the "
                          "file to UTF-8 (for example with iconv -f latin1 -t utf-8).")
                if number == 1:
                    text = text.removeprefix("\ufeff")  # a byte-order mark is no token
                for line in _LINE_BREAK.split(text):  # a lone "\r" ends a line too
                    tokens = line.split()
                    if tokens:
                        read[0] += len(tokens)
                        yield tokens

    return sentences


def _load_corpus(args: argparse.Namespace, path: Path | None) -> EncodedCorpus:
    read = [0]
    try:
        if path is None:
            return wikitext_corpus(args.corpus, args.split or "train",
                                   min_count=args.min_count)
        return encode_corpus(_file_sentences(path, args.corpus, read),
                             min_count=args.min_count)
    except EmptyVocabularyError as error:
        if path is not None and read[0] == 0:
            _fail(f"--corpus {args.corpus} holds no words: it is empty or only white "
                  "space. Give a text file with one tokenized sentence per line.")
        _fail(f"--corpus {args.corpus}, --min-count {args.min_count}: {error}")


def _shown(value: float | None, spec: str) -> str:
    return "none" if value is None else format(value, spec)


def _strict_json(value):
    """``value`` with every NaN or infinity made ``None``: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict_json(item) for item in value]
    return value


def _checkpoint_name(world: int) -> str:
    return "checkpoint.pt" if world == 1 else f"checkpoint-{world}-processes.pt"


def _checkpoint_processes(name: str) -> int:
    found = re.fullmatch(r"checkpoint-(\d+)-processes\.pt", name)
    return int(found.group(1)) if found else 1


def main(argv: Sequence[str] | None = None) -> dict:
    """Run the command line; returns the metrics it wrote. Bad input ends it with exit
    status 2 and a one-line message, and leaves no empty run folder behind."""
    parser = build_parser()
    args = parser.parse_args(argv)
    created: list[Path] = []  # the folders this run made
    grouped = dist.is_available() and dist.is_initialized()
    try:
        return _main(parser, args, created)
    except _BadInput as error:
        _remove_empty(created)
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except BaseException:
        _remove_empty(created)
        raise
    finally:
        # leave a process group this command joined (under torchrun), and no other
        if not grouped and dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()


def _main(parser: argparse.ArgumentParser, args: argparse.Namespace,
          created: list[Path]) -> dict:
    device = _device(args.device)
    try:
        config = FastConfig(model=args.model, dim=args.dim, window=args.window,
                            negative=args.negative, sample=args.sample, epochs=args.epochs,
                            alpha=args.alpha, batch_size=args.batch_size, seed=args.seed,
                            update=args.update, workers=args.workers)
    except ValueError as error:
        parser.error(str(error))
    corpus_file = _corpus_file(args)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    # under torchrun: join the other processes (appendix B); alone, rank 0 of 1
    try:
        rank, world, device = start_process_group(device)
    except DistributedSetupError as error:
        _fail(str(error))
    corpus_name = Path(args.corpus).stem if args.corpus not in WIKITEXT_NAMES else args.corpus
    out = args.out or Path("runs") / f"{corpus_name}-{args.model}-{args.dim}"
    # rank 0 makes the folder; the others check it once it is there
    if rank == 0:
        _prepare_out(out, created)
    if world > 1:
        dist.barrier()
    if rank > 0:
        _prepare_out(out, created)
    checkpoint = out / _checkpoint_name(world)
    others = sorted(path.name for path in out.glob("checkpoint*.pt") if path != checkpoint)
    if others and not args.fresh:
        _fail(f"{out} holds the checkpoint {others[0]} of a run with "
              f"{_checkpoint_processes(others[0])} process(es), and this run has {world}; "
              "resume it with that many processes (torchrun --nproc_per_node), pass "
              "--fresh to start again, or choose another --out.")

    started = time.perf_counter()
    corpus = _load_corpus(args, corpus_file)
    read_seconds = time.perf_counter() - started
    quiet = args.quiet or rank > 0
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    log(f"{args.corpus}: {len(corpus):,} tokens, {len(corpus.vocab):,} words "
        f"(min_count {args.min_count}), read in {read_seconds:.0f} s; device {device}"
        + (f"; {world} processes, sync {args.sync}" if world > 1 else ""))
    trainer = None
    sync = {"sync": args.sync, "average_every": args.average_every}
    if checkpoint.exists() and not args.fresh:
        try:
            trainer = DistributedTrainer.resume(checkpoint, corpus, device, **sync)
        except CheckpointError as error:
            _fail(f"{error} Or pass --fresh.")
        except ValueError as error:  # the corpus cannot be cut into `world` shards
            _fail(str(error))
        if trainer.config != config:
            _fail(f"{checkpoint} holds a run with other settings ({trainer.config}); "
                  "run with the same settings to resume it, pass --fresh to start "
                  "again, or choose another --out.")
        log(f"resuming from {checkpoint}: epoch {trainer.epoch + 1}, batch {trainer.batch}")
    if trainer is None:
        try:
            trainer = DistributedTrainer(corpus, config, device, **sync)
        except ValueError as error:  # the corpus cannot be cut into `world` shards
            _fail(str(error))
    try:
        stats = trainer.train(progress=not quiet, checkpoint=checkpoint,
                              checkpoint_every=args.checkpoint_every)
    except DivergenceError as error:
        # nothing more is written: no vectors and no metrics of a diverged run
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    if rank > 0:  # rank 0 writes the files; the tables are the same in every process
        return {}

    vectors = trainer.vectors()
    vectors_path = vectors.save(out / ("vectors.bin" if args.binary else "vectors.txt"),
                                binary=args.binary)
    metrics: dict = {
        "settings": {**vars(config), "min_count": args.min_count, "corpus": args.corpus,
                     "split": None if corpus_file else args.split or "train"},
        "corpus": {"tokens": len(corpus), "vocabulary": len(corpus.vocab),
                   "effective_words_per_epoch": round(trainer.words_per_epoch)},
        "device": str(device) if device.type != "cuda"
        else f"{device} ({torch.cuda.get_device_name(device)})",
        "threads": torch.get_num_threads(),
        "processes": world,
        "sync": args.sync if world > 1 else None,
        # what rank 0 sent to the other processes, counted from the shapes
        "bytes_sent": trainer.bytes_sent,
        "torch": torch.__version__,
        "effective_words": stats.words,
        # microseconds, not hundredths: a short run must not read as 0 seconds next to
        # a speed computed from its true duration
        "training_seconds": round(stats.seconds, 6),
        "words_per_second": round(stats.words_per_second),
        # the mean over the batches measured in the last epoch (each before its update)
        "last_epoch_loss": stats.last_epoch_loss,
        "last_epoch_loss_batches": len(stats.epoch_losses),
        "vectors": str(vectors_path),
    }
    if not args.no_eval:
        from .evaluation import SIMLEX999, WORDSIM353, analogy_accuracy, similarity_spearman

        analogies = analogy_accuracy(vectors)
        metrics["analogy_accuracy"] = analogies.accuracy
        metrics["analogy_coverage"] = analogies.coverage
        for name, pairs in (("wordsim353", WORDSIM353), ("simlex999", SIMLEX999)):
            rho, coverage = similarity_spearman(vectors, pairs)
            metrics[name] = {"spearman": rho, "coverage": coverage}
    metrics = _strict_json(metrics)  # a score of NaN (no question covered) is null
    write_atomically(out / "metrics.json",
                     (json.dumps(metrics, indent=2, allow_nan=False) + "\n").encode())
    log(f"wrote {vectors_path} and {out / 'metrics.json'}: "
        f"{metrics['words_per_second']:,} words/s"
        + ("" if args.no_eval else f", analogies {_shown(metrics['analogy_accuracy'], '.1%')}, "
           f"WS353 {_shown(metrics['wordsim353']['spearman'], '.3f')}"))
    return metrics


if __name__ == "__main__":
    main()
