"""Train gensim's Word2Vec and w2v_lib's fast trainer on the same corpus, with the same
settings and the same number of threads, interleaved and repeated; print each one's
effective words per second (tokens trained on after subsampling, as gensim counts
them), the ratio of every pair of runs with its median and spread, and the two scores
of chapter 6 (Google analogies over the 30,000 most frequent words, WordSim353) as
mean and standard deviation over the seeds.

    python bench/bench_gensim.py --models sgns cbow --dims 100 300 --seeds 0 1 2 \\
        --batch-sizes 512 4096 --threads 2 --json bench/results/speed.json

A shared machine's speed drifts from one minute to the next, so a single pair of runs
is not a measurement. For every seed the implementations run back to back with the
same seed: with one batch size, in alternating order (ours first for even seeds,
gensim first for odd ones); with two, gensim runs between ours at the two sizes, whose
sides swap from one seed to the next. The speed ratio is taken between each of our
runs and the gensim run of its seed, and the table reports the median of those ratios
with their smallest and largest. The corpus is read from
W2V_DATA_DIR (or downloaded). Only training is timed: building the vocabulary and
encoding the corpus are not, for either.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import gensim
import torch
from gensim.models import Word2Vec

from w2v_lib.corpus import wikitext_corpus
from w2v_lib.evaluation import analogy_accuracy, similarity_spearman
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.vectors import WordVectors
from w2v_lib.wikitext import ParagraphStream


def scores(vectors: WordVectors) -> dict[str, float]:
    analogies = analogy_accuracy(vectors)
    rho, _ = similarity_spearman(vectors)
    return {"analogy": analogies.accuracy, "ws353": rho}


def config_of(args, model: str, dim: int, seed: int, batch_size: int) -> FastConfig:
    return FastConfig(model=model, dim=dim, window=args.window, negative=args.negative,
                      sample=args.sample, epochs=args.epochs, batch_size=batch_size,
                      seed=seed, workers=args.workers if args.device == "cpu" else 1)


def run_gensim(args, sentences, config: FastConfig) -> dict[str, float]:
    # the same starting rate as ours (word2vec.c's: 0.025 skip-gram, 0.05 CBOW;
    # gensim's own default is 0.025 for both) and the same final rate
    model = Word2Vec(vector_size=config.dim, window=config.window, negative=config.negative,
                     sample=config.sample, min_count=args.min_count,
                     sg=int(config.model == "sgns"), hs=0, workers=args.threads,
                     alpha=config.start_alpha, min_alpha=config.min_alpha,
                     seed=config.seed + 1)  # gensim's seed 0 is valid too; +1 keeps it away
    model.build_vocab(sentences)
    start = time.perf_counter()
    effective, _raw = model.train(sentences, total_examples=model.corpus_count,
                                  epochs=config.epochs)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "words": effective, "words_per_second": effective / seconds,
            **scores(WordVectors.from_keyed_vectors(model.wv))}


def run_ours(args, corpus, config: FastConfig) -> dict[str, float]:
    trainer = FastTrainer(corpus, config, device=args.device)
    stats = trainer.train(progress=False)
    return {"seconds": stats.seconds, "words": stats.words,
            "words_per_second": stats.words_per_second, **scores(trainer.vectors())}


def order_of(seed: int, batch_sizes: list[int]) -> list[str]:
    """The order of a seed's runs: gensim beside every run of ours, sides swapped by seed.

    >>> order_of(0, [512]), order_of(1, [512])
    (['ours', 'gensim'], ['gensim', 'ours'])
    >>> order_of(0, [512, 4096]), order_of(1, [512, 4096])
    (['ours@512', 'gensim', 'ours@4096'], ['ours@4096', 'gensim', 'ours@512'])
    """
    if len(batch_sizes) == 1:
        return ["ours", "gensim"] if seed % 2 == 0 else ["gensim", "ours"]
    if len(batch_sizes) != 2:
        raise SystemExit("--batch-sizes takes one or two sizes (gensim runs between them)")
    first, second = (f"ours@{b}" for b in batch_sizes)
    return [first, "gensim", second] if seed % 2 == 0 else [second, "gensim", first]


def summary(runs: list[dict]) -> dict:
    """Median ratio with its range, speeds with their range, scores as mean and sd."""
    ratios = [r["ours"]["words_per_second"] / r["gensim"]["words_per_second"] for r in runs]

    def spread(values):
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    def mean_sd(values):
        return {"mean": statistics.mean(values),
                "sd": statistics.stdev(values) if len(values) > 1 else 0.0}

    return {"ratio": spread(ratios),
            **{name: {"words_per_second": spread([r[name]["words_per_second"] for r in runs]),
                      "analogy": mean_sd([r[name]["analogy"] for r in runs]),
                      "ws353": mean_sd([r[name]["ws353"] for r in runs])}
               for name in ("ours", "gensim")}}


def markdown(results: list[dict]) -> str:
    lines = ["| model | d | batch | ratio ours/gensim: median [min, max] | ours words/s | "
             "gensim words/s | analogies (%) ours | gensim | WS353 ours | gensim |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for result in results:
        s = result["summary"]
        r = s["ratio"]
        cells = [f"{r['median']:.2f} [{r['min']:.2f}, {r['max']:.2f}]"]
        for name in ("ours", "gensim"):
            w = s[name]["words_per_second"]
            cells.append(f"{w['median']:,.0f} [{w['min']:,.0f}, {w['max']:,.0f}]")
        for key, scale, digits in (("analogy", 100, 2), ("ws353", 1, 3)):
            for name in ("ours", "gensim"):
                v = s[name][key]
                cells.append(f"{v['mean'] * scale:.{digits}f} ± {v['sd'] * scale:.{digits}f}")
        lines.append(f"| {result['model']} | {result['dim']} | {result['batch_size']:,} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="wikitext-2")
    parser.add_argument("--models", nargs="+", choices=("sgns", "cbow"), default=["sgns"])
    parser.add_argument("--dims", type=int, nargs="+", default=[100])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[FastConfig.batch_size],
                        help="our centers per step; one or two sizes (default: %(default)s)")
    # our --threads are PyTorch's threads inside every operator; --workers > 1 also cuts
    # each step into shards run by that many Python threads, which was slower on the
    # 2-core machine of bench/results/speed.md (bench/results/workers.md)
    parser.add_argument("--workers", type=int, default=1,
                        help="threads that each run a shard of our steps (default: %(default)s)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", help="also write every run and the summary to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    corpus = wikitext_corpus(args.corpus, min_count=args.min_count)
    sentences = ParagraphStream(args.corpus)
    print(f"{args.corpus}: {len(corpus):,} tokens, {len(corpus.vocab):,} words; window "
          f"{args.window}, {args.negative} negatives, sample {args.sample}, {args.epochs} "
          f"epochs, {args.threads} threads, device {args.device}; seeds {args.seeds}")
    order_of(0, args.batch_sizes)  # refuses more than two sizes before any run
    results = []
    for model in args.models:
        for dim in args.dims:
            runs = {b: [] for b in args.batch_sizes}
            for seed in args.seeds:
                done = {}
                for name in order_of(seed, args.batch_sizes):
                    if name == "gensim":
                        config = config_of(args, model, dim, seed, args.batch_sizes[0])
                        done[name] = run_gensim(args, sentences, config)
                    else:
                        batch = int(name.split("@")[1]) if "@" in name else args.batch_sizes[0]
                        config = config_of(args, model, dim, seed, batch)
                        done[batch] = run_ours(args, corpus, config)
                for batch in args.batch_sizes:
                    run = {"seed": seed, "order": order_of(seed, args.batch_sizes),
                           "ours": done[batch], "gensim": done["gensim"]}
                    runs[batch].append(run)
                    ratio = run["ours"]["words_per_second"] / run["gensim"]["words_per_second"]
                    print(f"{model} d={dim} batch {batch} seed {seed}: ours "
                          f"{run['ours']['words_per_second']:,.0f}, gensim "
                          f"{run['gensim']['words_per_second']:,.0f} words/s, ratio "
                          f"{ratio:.2f}; analogies {run['ours']['analogy']:.2%} vs "
                          f"{run['gensim']['analogy']:.2%}, WS353 {run['ours']['ws353']:.3f} "
                          f"vs {run['gensim']['ws353']:.3f}", flush=True)
            for batch in args.batch_sizes:
                results.append({"model": model, "dim": dim, "batch_size": batch,
                                "runs": runs[batch], "summary": summary(runs[batch])})
    print()
    print(markdown(results))
    if args.json:
        report = {"command": " ".join(["python", *sys.argv]), "settings": vars(args),
                  "results": results, "torch": torch.__version__,
                  "gensim": gensim.__version__,
                  "machine": f"{platform.machine()}, {torch.get_num_threads()} threads"}
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)


if __name__ == "__main__":
    main()
