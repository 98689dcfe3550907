"""Measure the fast trainer's speed on a CUDA GPU, beside what the model of
``bench/gpu_model.py`` predicts for the same steps (chapter 7).

The corpus has WikiText-103's vocabulary, 267,735 words with Zipf counts, whose tokens
are drawn at random with those counts as weights (``w2v_lib.roofline.zipf_corpus``)
and cut into paragraphs of 100 tokens: the tables and the noise distribution are the
size of WikiText-103's, so every row a step reads or writes lives in the same 107 MB
(d = 100) or 321 MB (d = 300) table as on the real corpus. The text itself is not
WikiText-103's, so the vectors learnt mean nothing; only the time is kept.

For every model, dimension and batch size, one epoch is trained and timed (training
only: building the trainer is not, and every run begins after a warm-up run of the
same shape). The settings are interleaved and repeated: each repeat runs every
setting once, in turn, so that a drift of the machine's speed falls on all of them;
the table gives the median of the repeats with the smallest and largest.

    python bench/gpu_measure.py --json bench/results/gpu_h100.json

The model's prediction is for the GPU of ``--gpu`` (default: the entry of
``w2v_lib.roofline.GPUS`` whose name is in the device's name), with the model's
default assumptions; the last column is the measured speed over the predicted one.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import torch

from w2v_lib.corpus import EncodedCorpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.roofline import GPUS, predict_words_per_second, step_cost, zipf_corpus
from w2v_lib.wikitext import WIKITEXT_103_VOCAB

PARAGRAPH = 100


def time_epoch(corpus: EncodedCorpus, config: FastConfig, device: str) -> dict:
    trainer = FastTrainer(corpus, config, device=device)
    stats = trainer.train(progress=False)
    return {"seconds": stats.seconds, "words": stats.words,
            "words_per_second": stats.words_per_second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["sgns", "cbow"])
    parser.add_argument("--dims", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--batch-sizes", type=int, nargs="+",
                        default=[512, 4096, 16384, 65536])
    parser.add_argument("--tokens", type=int, nargs="+", default=[3_000_000, 12_000_000,
                        30_000_000, 30_000_000],
                        help="the corpus's tokens for each batch size (one epoch each)")
    parser.add_argument("--vocab", type=int, default=WIKITEXT_103_VOCAB)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--gpu", help="the model's GPU: one of " + ", ".join(GPUS))
    parser.add_argument("--json", help="also write every run and the summary to this file")
    args = parser.parse_args()
    if len(args.tokens) != len(args.batch_sizes):
        raise SystemExit(f"--tokens takes one count per batch size: {len(args.batch_sizes)} "
                         f"sizes, {len(args.tokens)} counts")
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device here: this benchmark measures a GPU (for a model "
                         "of one, run bench/gpu_model.py)")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.machine()
    gpu_name = args.gpu or next((key for key in GPUS if key in name), None)
    if gpu_name not in GPUS:
        raise SystemExit(f"no model of {name!r} in w2v_lib.roofline.GPUS; name one with "
                         f"--gpu ({', '.join(GPUS)})")
    gpu = GPUS[gpu_name]
    print(f"device: {name}; torch {torch.__version__}; model's GPU: {gpu_name}")

    corpora = {}
    for batch, tokens in zip(args.batch_sizes, args.tokens):
        if tokens not in corpora:
            corpora[tokens] = zipf_corpus(args.vocab, tokens, paragraph=PARAGRAPH)
    settings = [(model, dim, batch, tokens) for model in args.models for dim in args.dims
                for batch, tokens in zip(args.batch_sizes, args.tokens)]
    predicted = {}
    for model, dim, batch, tokens in settings:
        config = FastConfig(model=model, dim=dim, batch_size=batch, epochs=1)
        corpus = corpora[tokens]
        cost = step_cost(config, len(corpus.vocab), corpus=corpus)
        predicted[model, dim, batch] = predict_words_per_second(cost, gpu)
        # a warm-up of the same shape: CUDA's context, the allocator's pools, kernels
        time_epoch(EncodedCorpus(corpus.ids[:20 * batch], corpus.sentence[:20 * batch],
                                 corpus.vocab), config, args.device)

    runs = {setting[:3]: [] for setting in settings}
    for repeat in range(args.repeats):
        for model, dim, batch, tokens in settings:
            config = FastConfig(model=model, dim=dim, batch_size=batch, epochs=1,
                                seed=repeat)
            run = time_epoch(corpora[tokens], config, args.device)
            runs[model, dim, batch].append(run)
            print(f"repeat {repeat}: {model} d={dim} batch {batch:,}: "
                  f"{run['words'] / 1e6:.1f}M words in {run['seconds']:.2f} s, "
                  f"{run['words_per_second'] / 1e6:.2f}M words/s", flush=True)

    rows = []
    print(f"\n{'model':5} {'d':>4} {'batch':>6} {'measured M words/s':>24} "
          f"{'model':>7} {'ratio':>6}")
    for (model, dim, batch), done in runs.items():
        speeds = [run["words_per_second"] for run in done]
        median = statistics.median(speeds)
        row = {"model": model, "dim": dim, "batch_size": batch, "runs": done,
               "measured": {"median": median, "min": min(speeds), "max": max(speeds)},
               "predicted": predicted[model, dim, batch]}
        rows.append(row)
        print(f"{model:5} {dim:>4} {batch:>6} {median / 1e6:>8.2f} "
              f"[{min(speeds) / 1e6:5.2f}, {max(speeds) / 1e6:5.2f}] "
              f"{row['predicted'] / 1e6:>7.2f} {median / row['predicted']:>6.2f}")
    if args.json:
        report = {"command": " ".join(["python", *sys.argv]), "device": name,
                  "model_gpu": gpu_name, "torch": torch.__version__,
                  "date": time.strftime("%Y-%m-%d"), "vocab": args.vocab,
                  "paragraph": PARAGRAPH, "rows": rows}
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)


if __name__ == "__main__":
    main()
