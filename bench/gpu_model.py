"""A model of the fast trainer's speed on GPUs, from counts taken without one (chapter 7).

For every batch size, one training step is counted without a GPU: the trainer is
moved to a fake ``cuda`` device (PyTorch's FakeTensorMode) and every operator of the
step is recorded with the bytes it reads and writes and its arithmetic
(``w2v_lib.roofline``). From those counts, published peak figures and two assumed
costs, ``predict_words_per_second`` gives effective words per second:

* a kernel takes the longer of its bytes at ``--efficiency`` of the peak bandwidth and
  its arithmetic at ``--efficiency`` of the peak FP32 rate, and at least
  ``--kernel-floor`` seconds;
* Python issues the kernels one by one, ``--launch`` seconds of host time each; the GPU
  works while Python issues, so a step takes the longer of the two.

These are predictions of a model, not measurements: nothing here runs on a GPU
(``bench/gpu_measure.py`` measures the trainer on one, beside these predictions).

    python bench/gpu_model.py --json bench/results/gpu_model.json

It also prints the time the model predicts for chapter 7's gpu scale (WikiText-103,
five epochs) and the fraction of the bandwidth each step would use.
"""

from __future__ import annotations

import argparse
import json
import sys

from w2v_lib.fast_training import FastConfig
from w2v_lib.roofline import GPUS, predict_words_per_second, step_cost, zipf_corpus
from w2v_lib.wikitext import WIKITEXT_103_TRAIN_TOKENS, WIKITEXT_103_VOCAB

# as on WikiText-2, about 70% of the tokens survive subsampling at 1e-3
KEPT = 0.70


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["sgns", "cbow"])
    parser.add_argument("--dims", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--batch-sizes", type=int, nargs="+",
                        default=[512, 4096, 16384, 65536])
    parser.add_argument("--efficiency", type=float, default=0.6)
    parser.add_argument("--kernel-floor", type=float, default=3e-6)
    parser.add_argument("--launch", type=float, default=10e-6)
    parser.add_argument("--json", help="also write the table to this file")
    args = parser.parse_args()

    corpus = zipf_corpus(WIKITEXT_103_VOCAB)
    rows = []
    print(f"assumptions: {args.efficiency:.0%} of peak bandwidth and FP32 rate, a kernel "
          f"takes at least {args.kernel_floor * 1e6:g} us, {args.launch * 1e6:g} us of "
          f"host time per kernel")
    print(f"{'model':5} {'d':>4} {'batch':>6} {'kernels':>7} {'bytes/word':>10} "
          f"{'flops/word':>10} " + " ".join(f"{name:>9}" for name in GPUS))
    for model in args.models:
        for dim in args.dims:
            for batch in args.batch_sizes:
                config = FastConfig(model=model, dim=dim, batch_size=batch)
                cost = step_cost(config, WIKITEXT_103_VOCAB, corpus=corpus)
                speeds = {name: predict_words_per_second(
                    cost, gpu, args.launch, args.efficiency, args.kernel_floor)
                    for name, gpu in GPUS.items()}
                rows.append({"model": model, "dim": dim, "batch_size": batch,
                             "kernels": cost.kernels, "bytes_per_word": cost.bytes_per_word,
                             "flops_per_word": cost.flops / cost.words,
                             "words_per_second": speeds})
                print(f"{model:5} {dim:>4} {batch:>6} {cost.kernels:>7} "
                      f"{cost.bytes_per_word:>10,.0f} {cost.flops / cost.words:>10,.0f} "
                      + " ".join(f"{speeds[name] / 1e6:>8.1f}M" for name in GPUS))
    words = 5 * KEPT * WIKITEXT_103_TRAIN_TOKENS
    print(f"\nfive epochs of WikiText-103: about {words / 1e6:,.0f} million effective words")
    for row in rows:
        if row["dim"] == 300 and row["batch_size"] == max(args.batch_sizes):
            print(f"{row['model']}, d=300, batch {row['batch_size']:,}: " + ", ".join(
                f"{name} {words / speed / 60:.1f} min"
                for name, speed in row["words_per_second"].items()))
    if args.json:
        report = {"command": " ".join(["python", *sys.argv]), "assumptions": {
            "efficiency": args.efficiency, "kernel_floor_seconds": args.kernel_floor,
            "launch_seconds": args.launch,
            "gpus": {name: {"bandwidth": gpu.bandwidth, "flops": gpu.flops}
                     for name, gpu in GPUS.items()}}, "rows": rows}
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)


if __name__ == "__main__":
    main()
