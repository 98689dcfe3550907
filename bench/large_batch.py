"""Large batches: how well the fast trainer's vectors come out as the batch grows, for
each way of adding up a batch's updates (chapter 7).

A step computes every update of a batch from the same old vectors and adds them up.
A frequent word's row collects hundreds of updates per step, and their sum can
overshoot where one update after another would not. The rules compared:

* ``summed``: the updates added up as they are (``FastConfig(update="summed")``);
* ``capped``: the library's rule (``update="capped"``): every row's rate is alpha,
  capped at CAP / H, with H = sum(|x_p|^2) / 4 over the row's pairs in the step, a
  bound on the curvature of the row's loss (sigma' <= 1/4); above LARGE_BATCH centers
  per step, alpha and skip-gram's CAP grow with the batch
  (``fast_training.large_batch_factors``);
* ``capped, unscaled``: the same without the growth, alpha and CAP as at 512 centers
  (the library's rule before the growth was added; every rule below builds on it);
* ``sigma'``: the cap with H = sum(sigma'(s_p) |x_p|^2), the curvature at the
  current scores instead of its bound (skip-gram only);
* ``count``: each row's summed update divided by how often the row occurs in the batch;
* ``sqrt``: divided by the square root of that;
* ``count/8``: divided by max(1, occurrences / 8);
* ``capped xF``: the unscaled cap with its CAP multiplied by F (0.5 to 32).

``--alpha-factor F`` multiplies the starting rate of any rule but the library's
(whose rate already grows with the batch); the rule's name then ends in ``alpha xF``.

Every run trains on WikiText-2 (min_count 5) for ``--epochs`` epochs and is scored
with chapter 6's tools (Google analogies over the 30,000 most frequent words,
WordSim353). Each run appends one line of JSON to ``--out``, so a sweep can be run one
piece at a time (and under the shared lock, one run per lock):

    python bench/large_batch.py --model sgns --batch-sizes 512 4096 --rules summed capped \\
        --seeds 0 1 2 --out bench/results/large_batch.jsonl
    python bench/large_batch.py --table bench/results/large_batch.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import torch

import w2v_lib.fast_training as fast_training
from w2v_lib.corpus import wikitext_corpus
from w2v_lib.evaluation import analogy_accuracy, similarity_spearman
from w2v_lib.fast_training import FastConfig, FastTrainer


class Unscaled(FastTrainer):
    """The capped update with the rate and CAP of small batches at every batch size."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rate_factor, self.cap_factor = 1.0, 1.0


class Occurrences(Unscaled):
    """Rates divided by (occurrences of the row in the step / free) ** power, at least 1."""

    free, power = 1.0, 1.0

    def _rates(self, shards, alpha):
        size, tile = len(self.vocab), self.config.tile
        counted, rows, lengths = [], [], []
        for shard in shards:
            in_rows, _, out_rows, _ = shard.curvature
            # each block position counted once (the first `tile` rows of every tile),
            # each target once
            counted += [in_rows[:, :tile].reshape(-1), out_rows.reshape(-1) + size]
            rows += [in_rows.reshape(-1), out_rows.reshape(-1) + size]
            lengths += [in_rows.numel(), out_rows.numel()]
        counted, rows = torch.cat(counted), torch.cat(rows)
        sums = self._row_sums.index_add_(0, counted, torch.ones(len(counted)))
        occurrences = sums.index_select(0, rows).clamp(min=1)
        sums.index_fill_(0, counted, 0.0)
        parts = (alpha / (occurrences / self.free).clamp(min=1) ** self.power).split(lengths)
        return [(parts[2 * k], parts[2 * k + 1]) for k in range(len(shards))]


class Sqrt(Occurrences):
    power = 0.5


class Count8(Occurrences):
    free = 8.0


class LocalCurvature(Unscaled):
    """The cap with sigma'(s) at the current scores in place of its bound 1/4."""

    def _forward(self, *args):
        shard = super()._forward(*args)
        if self.config.model != "sgns" or shard.curvature is None:
            raise ValueError("the sigma' rule is written for skip-gram with update='capped'")
        in_rows, _, targets, _ = shard.curvature
        # |error| is 1 - sigma for the center and sigma for a noise word, so
        # sigma * (1 - sigma) = |error| * (1 - |error|)
        error = shard.error.abs()
        slope = error * (1 - error)
        row_sq = torch.linalg.vector_norm(shard.tile_rows, dim=2).square()
        out_sq = torch.linalg.vector_norm(shard.outputs, dim=2).square()
        per_row = torch.bmm(slope, out_sq.unsqueeze(2))
        per_out = torch.bmm(slope.transpose(1, 2), row_sq.unsqueeze(2))
        # _capped_rate divides by the bound 1/4; undo it
        scale = 1 / fast_training.SIGMA_PRIME_MAX
        shard.curvature = (in_rows, per_row * scale, targets, per_out * scale)
        return shard


class CapScaled(Unscaled):
    """The library's capped rate with its CAP multiplied by ``factor``."""

    factor = 1.0

    def _capped_rate(self, rows, squares, alpha):
        return super()._capped_rate(rows, squares / self.factor, alpha)


def cap_scaled(factor: float) -> type[FastTrainer]:
    """The library's capped rate with its CAP multiplied by ``factor``."""
    return type(f"Cap{factor:g}", (CapScaled,), {"factor": factor})


RULES = {"summed": (FastTrainer, "summed"), "capped": (FastTrainer, "capped"),
         "capped, unscaled": (Unscaled, "capped"),
         "sigma'": (LocalCurvature, "capped"), "count": (Occurrences, "capped"), "sqrt": (Sqrt, "capped"),
         "count/8": (Count8, "capped"),
         **{f"capped x{f:g}": (cap_scaled(f), "capped") for f in (0.5, 2, 4, 8, 16, 32)}}


def run(corpus, model: str, dim: int, batch_size: int, rule: str, seed: int,
        epochs: int, workers: int, alpha_factor: float = 1.0) -> dict:
    cls, update = RULES[rule]
    config = FastConfig(model=model, dim=dim, epochs=epochs, batch_size=batch_size,
                        seed=seed, update=update, workers=workers)
    if alpha_factor != 1.0:
        if rule == "capped":
            raise SystemExit("--alpha-factor is for the other rules: the library's capped "
                             "rule already grows its rate with the batch")
        config = replace(config, alpha=config.start_alpha * alpha_factor)
        rule = f"{rule}, alpha x{alpha_factor:g}"
    trainer = cls(corpus, config)
    result = {"model": model, "dim": dim, "batch_size": batch_size, "rule": rule,
              "seed": seed, "epochs": epochs, "cap": fast_training.CAP,
              "rate_factor": trainer.rate_factor, "cap_factor": trainer.cap_factor,
              "tile": config.tile, "workers": workers}
    try:
        stats = trainer.train(progress=False)
    except fast_training.DivergenceError as error:
        return {**result, "diverged": str(error).split(". ")[0]}
    vectors = trainer.vectors()
    return {**result, "words_per_second": stats.words_per_second,
            "final_loss": stats.losses[-1][1],
            "analogy": analogy_accuracy(vectors).accuracy,
            "ws353": similarity_spearman(vectors)[0]}


def table(path: Path) -> str:
    """Mean and standard deviation over seeds, per model, batch size and rule."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        groups[(record["model"], record["dim"], record["rule"], record["batch_size"])
               ].append(record)
    lines = ["| model | d | rule | batch | seeds | analogies (%) | WS353 | words/s |",
             "|---|---|---|---|---|---|---|---|"]

    def spread(values, scale=1.0, digits=2):
        values = [v * scale for v in values]
        if len(values) == 1:
            return f"{values[0]:.{digits}f}"
        return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"

    def rank(rule: str) -> tuple[int, str]:  # the order of RULES, a learning rate after
        return list(RULES).index(rule.split(", alpha")[0]), rule

    for key in sorted(groups, key=lambda k: (k[0], k[1], rank(k[2]), k[3])):
        runs = groups[key]
        done = [r for r in runs if "diverged" not in r]
        diverged = len(runs) - len(done)
        model, dim, rule, batch = key
        if done:
            cells = [spread([r["analogy"] for r in done], 100), spread(
                [r["ws353"] for r in done], digits=3),
                f"{statistics.median(r['words_per_second'] for r in done):,.0f}"]
        else:
            cells = ["diverged", "diverged", ""]
        seeds = f"{len(done)}" + (f" (+{diverged} diverged)" if diverged else "")
        lines.append(f"| {model} | {dim} | {rule} | {batch:,} | {seeds} | " + " | ".join(cells)
                     + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("sgns", "cbow"), default="sgns")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[512, 4096, 16384, 65536])
    parser.add_argument("--rules", nargs="+", default=["summed", "capped"], choices=RULES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--alpha-factor", type=float, default=1.0,
                        help="multiply the starting learning rate (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=1,
                        help="threads that each run a shard of every step; one is faster "
                             "on two cores (bench/results/workers.md) (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="append one JSON line per run to this file")
    parser.add_argument("--table", type=Path, help="print the table of a results file and stop")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
        return
    corpus = wikitext_corpus("wikitext-2", min_count=5)
    for seed in args.seeds:
        for batch_size in args.batch_sizes:
            for rule in args.rules:
                start = time.perf_counter()
                record = run(corpus, args.model, args.dim, batch_size, rule, seed, args.epochs,
                             args.workers, args.alpha_factor)
                record["command"] = " ".join(["python", *sys.argv])
                print(json.dumps(record), f"({time.perf_counter() - start:.0f} s)", flush=True)
                if args.out:
                    with open(args.out, "a", encoding="utf-8") as file:
                        file.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
