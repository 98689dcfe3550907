"""Memory of co-occurrence counting (chapter 8), on corpora of growing length.

WikiText-103 cannot be downloaded everywhere, so this streams WikiText-2's train split
repeated N times ("WikiText-2 x N"; x50 is about 100 million tokens, WikiText-103's
size), encodes it as chapter 7 does (two int32 tensors, 8 bytes per token), then counts
its co-occurrences with w2v_lib.cooccurrence.cooccurrence_counts: window 5, word2vec's
weights, one subsampled pass at 1e-3, chunks of 2**20 tokens. Each N runs in a fresh
process, and prints:

* the corpus tensors' size, and the process's peak resident memory after encoding;
* the peak memory of counting itself, above what the process held before it
  (w2v_lib.memory.PeakMemory), next to the bound stated in w2v_lib/cooccurrence.py:
  chunk buffers plus 3 x 12 bytes per distinct pair (the running total, the chunk's
  sum and the new total while they are added).

    python bench/cooccurrence_memory.py --repeats 1 10 50

The claim it checks: counting's own memory does not grow with the corpus; only the
corpus tensors do (which every chapter-7 pipeline holds anyway), and the distinct
pairs, which a fixed vocabulary caps.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import torch

from w2v_lib.cooccurrence import cooccurrence_counts
from w2v_lib.corpus import wikitext_corpus
from w2v_lib.memory import PeakMemory
from w2v_lib.subsampling import keep_probabilities

CHUNK = 1 << 20
WINDOW = 5


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def one(repeat: int) -> dict:
    torch.set_num_threads(2)
    start = time.perf_counter()
    corpus = wikitext_corpus("wikitext-2", repeat=repeat)
    encoded_s = time.perf_counter() - start
    after_encoding = peak_gb()
    keep = keep_probabilities(corpus.counts, 1e-3)
    with PeakMemory() as memory:
        start = time.perf_counter()
        counts = cooccurrence_counts(corpus.ids, corpus.sentence, len(corpus.vocab),
                                     WINDOW, keep_prob=keep, chunk_tokens=CHUNK,
                                     generator=torch.Generator().manual_seed(0))
        counted_s = time.perf_counter() - start
    # the bound of the module's docstring: chunk pairs (16 B) and their sum, plus
    # the total three times over while a chunk is added
    bound = 2 * CHUNK * WINDOW * 16 + 3 * 12 * counts.nnz
    return {"repeat": repeat, "tokens": len(corpus), "vocabulary": len(corpus.vocab),
            "corpus_gb": corpus.nbytes / 1e9, "encoded_s": encoded_s,
            "peak_after_encoding_gb": after_encoding, "pairs": counts.nnz,
            "counted_s": counted_s, "counting_peak_gb": memory.peak_bytes / 1e9,
            "bound_gb": bound / 1e9, "peak_gb": peak_gb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one)))
        return
    print(f"{'corpus':>16} {'tokens':>12} {'tensors':>8} {'pairs':>10} {'count s':>8} "
          f"{'counting peak':>13} {'bound':>7} {'process peak':>12}")
    for repeat in args.repeats:
        result = subprocess.run([sys.executable, __file__, "--one", str(repeat)],
                                check=True, capture_output=True, text=True)
        r = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"{'WikiText-2 x' + str(repeat):>16} {r['tokens']:>12,} "
              f"{r['corpus_gb']:>6.2f}GB {r['pairs']:>10,} {r['counted_s']:>8.0f} "
              f"{r['counting_peak_gb']:>11.2f}GB {r['bound_gb']:>5.2f}GB "
              f"{r['peak_gb']:>10.2f}GB", flush=True)


if __name__ == "__main__":
    main()
