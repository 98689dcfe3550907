"""Peak host memory of the WikiText-103 pipeline, measured on a stream of its size.

WikiText-103 cannot be downloaded everywhere, so this streams WikiText-2's train split
repeated until it reaches about 100 million tokens ("WikiText-2 x N" wherever it is
reported), encodes it with w2v_lib.corpus (two streamed passes, never the text as
Python strings), then runs the fast trainer's epoch set-up (subsampling the whole
tensor) and a number of training steps, and prints the peak resident memory after
each stage.

    python bench/memory.py --tokens 100000000 --dim 300

Peak resident memory is the process's high-water mark (ru_maxrss), which includes
Python, PyTorch and gensim's imports. The trainer's two tables are V x d x 4 bytes
each; the script also prints what they would take with WikiText-103's own vocabulary
(267,735 words at min_count 1; fewer at min_count 5), for comparison.
"""

from __future__ import annotations

import argparse
import math
import resource
import time

import torch

from w2v_lib.corpus import wikitext_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.wikitext import WIKITEXT_103_VOCAB, iter_paragraphs, wikitext_path


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=FastConfig.batch_size)
    args = parser.parse_args()

    print(f"after imports: peak {peak_gb():.2f} GB")
    once = sum(len(p) for p in iter_paragraphs(wikitext_path("wikitext-2", "train")))
    repeat = max(1, math.ceil(args.tokens / once))
    start = time.perf_counter()
    corpus = wikitext_corpus("wikitext-2", repeat=repeat)
    print(f"WikiText-2 x {repeat}: {len(corpus):,} tokens kept (min_count 5), "
          f"{len(corpus.vocab):,} words, encoded in {time.perf_counter() - start:.0f} s; "
          f"tensors {corpus.nbytes / 1e9:.2f} GB; peak {peak_gb():.2f} GB")
    trainer = FastTrainer(corpus, FastConfig(dim=args.dim, batch_size=args.batch_size))
    tables = trainer.w_in.nbytes + trainer.w_out.nbytes
    start = time.perf_counter()
    trainer.train(progress=False, stop_after=args.steps)
    print(f"epoch set-up and {args.steps} steps of d={args.dim} in "
          f"{time.perf_counter() - start:.0f} s: tables {tables / 1e9:.2f} GB; "
          f"peak {peak_gb():.2f} GB")
    print(f"with WikiText-103's vocabulary the tables would take "
          f"{2 * WIKITEXT_103_VOCAB * args.dim * 4 / 1e9:.2f} GB instead")


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
