"""Train gensim's Word2Vec and w2v_lib's fast trainer on the same corpus, with the same
settings and the same number of threads, interleaved and repeated; print each one's
effective words per second (tokens trained on after subsampling, as gensim counts
them), the ratio of every pair of runs with its median and spread, and the two scores
of chapter 6 (Google analogies over the 30,000 most frequent words, WordSim353) as
mean and standard deviation over the seeds.

    python bench/bench_gensim.py --models sgns cbow --dims 100 300 --seeds 0 1 2 \\
        --threads 2 --json bench/results/speed.json

A shared machine's speed drifts from one minute to the next, so a single pair of runs
is not a measurement. For every seed the two implementations run back to back, in
alternating order (ours first for even seeds, gensim first for odd ones), with the
same seed; the speed ratio is taken within each pair, and the table reports the
median of those ratios with their smallest and largest. The corpus is read from
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


def config_of(args, model: str, dim: int, seed: int) -> FastConfig:
    return FastConfig(model=model, dim=dim, window=args.window, negative=args.negative,
                      sample=args.sample, epochs=args.epochs, batch_size=args.batch_size,
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
    lines = ["| model | d | ratio ours/gensim: median [min, max] | ours words/s | "
             "gensim words/s | analogies (%) ours | gensim | WS353 ours | gensim |",
             "|---|---|---|---|---|---|---|---|---|"]
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
        lines.append(f"| {result['model']} | {result['dim']} | " + " | ".join(cells) + " |")
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
    parser.add_argument("--batch-size", type=int, default=FastConfig.batch_size)
    parser.add_argument("--workers", type=int, default=None,
                        help="threads that share each of our steps (default: --threads)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", help="also write every run and the summary to this file")
    args = parser.parse_args()
    if args.workers is None:
        args.workers = args.threads
    torch.set_num_threads(args.threads)
    corpus = wikitext_corpus(args.corpus, min_count=args.min_count)
    sentences = ParagraphStream(args.corpus)
    print(f"{args.corpus}: {len(corpus):,} tokens, {len(corpus.vocab):,} words; window "
          f"{args.window}, {args.negative} negatives, sample {args.sample}, {args.epochs} "
          f"epochs, {args.threads} threads, device {args.device}; seeds {args.seeds}")
    results = []
    for model in args.models:
        for dim in args.dims:
            runs = []
            for seed in args.seeds:
                config = config_of(args, model, dim, seed)
                order = ["ours", "gensim"] if seed % 2 == 0 else ["gensim", "ours"]
                run = {"seed": seed, "order": order}
                for name in order:
                    run[name] = (run_ours(args, corpus, config) if name == "ours"
                                 else run_gensim(args, sentences, config))
                ratio = run["ours"]["words_per_second"] / run["gensim"]["words_per_second"]
                print(f"{model} d={dim} seed {seed} ({' then '.join(order)}): ours "
                      f"{run['ours']['words_per_second']:,.0f}, gensim "
                      f"{run['gensim']['words_per_second']:,.0f} words/s, ratio {ratio:.2f}; "
                      f"analogies {run['ours']['analogy']:.2%} vs "
                      f"{run['gensim']['analogy']:.2%}, WS353 {run['ours']['ws353']:.3f} vs "
                      f"{run['gensim']['ws353']:.3f}", flush=True)
                runs.append(run)
            results.append({"model": model, "dim": dim, "runs": runs,
                            "summary": summary(runs)})
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
