"""Train word2vec from the command line, outside a notebook (chapter 7).

    python -m w2v_lib.train --corpus wikitext-103 --model sgns --dim 300 --epochs 5

writes, into ``--out`` (default ``runs/<corpus>-<model>-<dim>``):

* ``vectors.txt``: the vectors in word2vec's text format (``--binary`` for ``vectors.bin``),
  which gensim's ``KeyedVectors.load_word2vec_format`` reads;
* ``metrics.json``: the settings, the corpus, the device, the effective words per
  second, the training time, and the scores of chapter 6 (Google analogies over the
  30,000 most frequent words, WordSim353, SimLex-999);
* ``checkpoint.pt``: the run so far, saved every ``--checkpoint-every`` seconds. Run the
  same command again after an interruption and training goes on from there.

``--corpus`` is a WikiText name (downloaded into ``W2V_DATA_DIR`` if needed) or the path
of a text file with one sentence per line, already tokenized by spaces.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from .atomic_write import write_atomically
from .corpus import EncodedCorpus, encode_corpus, wikitext_corpus
from .fast_training import UPDATES, CheckpointError, DivergenceError, FastConfig, FastTrainer
from .scale import pick_device
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
    parser.add_argument("--split", default="train", choices=("train", "valid", "test"),
                        help="the WikiText split (default: %(default)s)")
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
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto",
                        help="cpu, cuda, cuda:1, ... or auto (a GPU if there is one)")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")
    parser.add_argument("--workers", type=_positive_int, default=1,
                        help="CPU threads that share each step, each on its own shard of "
                             "the batch; on a CPU, one per core is fastest (default: "
                             "%(default)s; a GPU takes 1)")
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


def _device(parser: argparse.ArgumentParser, name: str) -> torch.device:
    if name == "auto":
        return pick_device()
    try:
        device = torch.device(name)
    except RuntimeError:
        parser.error(f"--device {name!r} is not a device; use cpu, cuda, cuda:N or auto.")
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error(f"--device {name} asks for a GPU, but PyTorch sees none here; "
                     "use --device cpu (or auto).")
    return device


def _load_corpus(parser: argparse.ArgumentParser, args: argparse.Namespace) -> EncodedCorpus:
    if args.corpus in WIKITEXT_NAMES:
        return wikitext_corpus(args.corpus, args.split, min_count=args.min_count)
    path = Path(args.corpus)
    if not path.is_file():
        parser.error(f"--corpus {args.corpus!r} is neither a WikiText name "
                     f"({', '.join(WIKITEXT_NAMES)}) nor an existing text file.")

    def sentences():
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                tokens = line.split()
                if tokens:
                    yield tokens

    return encode_corpus(sentences, min_count=args.min_count)


def main(argv: Sequence[str] | None = None) -> dict:
    """Run the command line; returns the metrics it wrote."""
    parser = build_parser()
    args = parser.parse_args(argv)
    device = _device(parser, args.device)
    try:
        config = FastConfig(model=args.model, dim=args.dim, window=args.window,
                            negative=args.negative, sample=args.sample, epochs=args.epochs,
                            alpha=args.alpha, batch_size=args.batch_size, seed=args.seed,
                            update=args.update, workers=args.workers)
    except ValueError as error:
        parser.error(str(error))
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    corpus_name = Path(args.corpus).stem if args.corpus not in WIKITEXT_NAMES else args.corpus
    out = args.out or Path("runs") / f"{corpus_name}-{args.model}-{args.dim}"
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} is a file; give a folder.")
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "checkpoint.pt"

    started = time.perf_counter()
    corpus = _load_corpus(parser, args)
    read_seconds = time.perf_counter() - started
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    log(f"{args.corpus}: {len(corpus):,} tokens, {len(corpus.vocab):,} words "
        f"(min_count {args.min_count}), read in {read_seconds:.0f} s; device {device}")
    trainer = None
    if checkpoint.exists() and not args.fresh:
        try:
            trainer = FastTrainer.resume(checkpoint, corpus, device)
        except CheckpointError as error:
            parser.error(f"{error} (or pass --fresh)")
        if trainer.config != config:
            parser.error(f"{checkpoint} holds a run with other settings ({trainer.config}); "
                         "run with the same settings to resume it, pass --fresh to start "
                         "again, or choose another --out.")
        log(f"resuming from {checkpoint}: epoch {trainer.epoch + 1}, batch {trainer.batch}")
    if trainer is None:
        trainer = FastTrainer(corpus, config, device)
    try:
        stats = trainer.train(progress=not args.quiet, checkpoint=checkpoint,
                              checkpoint_every=args.checkpoint_every)
    except DivergenceError as error:
        # nothing more is written: no vectors and no metrics of a diverged run
        parser.exit(1, f"{parser.prog}: error: {error}\n")

    vectors = trainer.vectors()
    vectors_path = vectors.save(out / ("vectors.bin" if args.binary else "vectors.txt"),
                                binary=args.binary)
    metrics: dict = {
        "settings": {**vars(config), "min_count": args.min_count, "corpus": args.corpus,
                     "split": args.split},
        "corpus": {"tokens": len(corpus), "vocabulary": len(corpus.vocab),
                   "effective_words_per_epoch": round(trainer.words_per_epoch)},
        "device": str(device) if device.type != "cuda"
        else f"{device} ({torch.cuda.get_device_name(device)})",
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "effective_words": stats.words,
        # microseconds, not hundredths: a short run must not read as 0 seconds next to
        # a speed computed from its true duration
        "training_seconds": round(stats.seconds, 6),
        "words_per_second": round(stats.words_per_second),
        "final_loss": stats.losses[-1][1] if stats.losses else None,
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
    write_atomically(out / "metrics.json", (json.dumps(metrics, indent=2) + "\n").encode())
    log(f"wrote {vectors_path} and {out / 'metrics.json'}: "
        f"{metrics['words_per_second']:,} words/s"
        + ("" if args.no_eval else f", analogies {metrics['analogy_accuracy']:.1%}, "
           f"WS353 {metrics['wordsim353']['spearman']:.3f}"))
    return metrics


if __name__ == "__main__":
    main()
