"""Train gensim's Word2Vec and w2v_lib's fast trainer on the same corpus, with the same
settings and the same number of threads, in one run; print each one's effective words
per second (tokens trained on after subsampling, as gensim counts them), the ratio,
and the two scores of chapter 6 (Google analogies over the 30,000 most frequent words,
WordSim353).

    python bench/bench_gensim.py --corpus wikitext-2 --model sgns --dim 100 --threads 2

The corpus is read from W2V_DATA_DIR (or downloaded). Only training is timed: building
the vocabulary and encoding the corpus are not, for either. Add --json FILE to keep
the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
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


def run_gensim(args, sentences) -> dict[str, float]:
    model = Word2Vec(vector_size=args.dim, window=args.window, negative=args.negative,
                     sample=args.sample, min_count=args.min_count, sg=int(args.model == "sgns"),
                     hs=0, workers=args.threads, seed=args.seed)
    model.build_vocab(sentences)
    start = time.perf_counter()
    effective, _raw = model.train(sentences, total_examples=model.corpus_count,
                                  epochs=args.epochs)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "words": effective, "words_per_second": effective / seconds,
            **scores(WordVectors.from_keyed_vectors(model.wv))}


def run_ours(args, corpus) -> dict[str, float]:
    config = FastConfig(model=args.model, dim=args.dim, window=args.window,
                        negative=args.negative, sample=args.sample, epochs=args.epochs,
                        batch_size=args.batch_size, seed=args.seed)
    trainer = FastTrainer(corpus, config, device=args.device)
    stats = trainer.train(progress=not args.quiet)
    return {"seconds": stats.seconds, "words": stats.words,
            "words_per_second": stats.words_per_second, **scores(trainer.vectors())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="wikitext-2")
    parser.add_argument("--model", choices=("sgns", "cbow"), default="sgns")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=FastConfig.batch_size)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    corpus = wikitext_corpus(args.corpus, min_count=args.min_count)
    results = {"ours": run_ours(args, corpus),
               "gensim": run_gensim(args, ParagraphStream(args.corpus))}
    ratio = results["ours"]["words_per_second"] / results["gensim"]["words_per_second"]

    print(f"\n{args.corpus}: {len(corpus):,} tokens, {len(corpus.vocab):,} words; {args.model}, "
          f"d={args.dim}, window {args.window}, {args.negative} negatives, sample "
          f"{args.sample}, {args.epochs} epochs, {args.threads} threads, device {args.device}")
    print(f"{'':8} {'words/s':>12} {'seconds':>8} {'analogies':>10} {'WS353':>7}")
    for name, r in results.items():
        print(f"{name:8} {r['words_per_second']:>12,.0f} {r['seconds']:>8.1f} "
              f"{r['analogy']:>10.2%} {r['ws353']:>7.3f}")
    print(f"ours / gensim words per second: {ratio:.2f}; analogy difference "
          f"{100 * (results['ours']['analogy'] - results['gensim']['analogy']):+.2f} points")
    if args.json:
        report = {"settings": vars(args), "ratio": ratio, "results": results,
                  "torch": torch.__version__, "gensim": gensim.__version__,
                  "machine": platform.processor() or platform.machine()}
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)


if __name__ == "__main__":
    main()
