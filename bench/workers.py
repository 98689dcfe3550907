"""How the fast trainer should use a CPU's cores: PyTorch's threads inside every
operator, or steps cut into shards that Python threads run side by side (chapter 7).

``FastConfig(workers=W)`` cuts each step's centers into W shards, each run by its own
thread; PyTorch's own threads (``torch.set_num_threads``) work inside every operator
either way. This trains one epoch of WikiText-2 for each model, batch size and number
of workers, round after round (so that the machine's drift reaches every setting
alike), and prints the effective words per second of every run and their median:

    python bench/workers.py --threads 2 --rounds 2 --out bench/results/workers.md
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from pathlib import Path

import torch

from w2v_lib.corpus import wikitext_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=("sgns", "cbow"),
                        default=["sgns", "cbow"])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[512, 2048, 4096])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, default=2, help="PyTorch's threads")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    corpus = wikitext_corpus("wikitext-2", min_count=5)
    speeds: dict[tuple, list[float]] = {}
    for round_ in range(args.rounds):
        for model in args.models:
            for batch_size in args.batch_sizes:
                for workers in args.workers:
                    config = FastConfig(model=model, epochs=1, batch_size=batch_size,
                                        workers=workers, seed=round_)
                    stats = FastTrainer(corpus, config).train(progress=False)
                    speeds.setdefault((model, batch_size, workers), []).append(
                        stats.words_per_second)
                    print(f"round {round_}: {model} batch {batch_size} workers {workers}: "
                          f"{stats.words_per_second:,.0f} words/s", flush=True)
    lines = [f"Command: `python {' '.join(sys.argv)}`", "",
             f"Machine: {platform.machine()}, {args.threads} PyTorch threads, torch "
             f"{torch.__version__}. One epoch of WikiText-2 (d=100, window 5, 5 noise "
             f"words, sample 1e-3) per run; effective words per second, median of "
             f"{args.rounds} rounds [smallest, largest]:", "",
             "| model | batch | workers | words/s |", "|---|---|---|---|"]
    for (model, batch_size, workers), values in speeds.items():
        lines.append(f"| {model} | {batch_size:,} | {workers} | "
                     f"{statistics.median(values):,.0f} [{min(values):,.0f}, "
                     f"{max(values):,.0f}] |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text("# Workers against PyTorch's threads (chapter 7)\n\n" + table
                            + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
