"""Training on several processes: measured on this machine, modelled beyond it
(appendix B).

``--measure``: WikiText-2 trained by the real command, ``python -m w2v_lib.train``,
in three ways that use the same two cores:

* ``1x2``: one process whose two worker threads share every step (``--workers 2``);
* ``1x2 ops``: one process of one worker, PyTorch's two threads inside every operator
  (``--workers 1 --threads 2``);
* ``2x1 sparse``: two processes of one thread each under ``torchrun`` (gloo), each on
  its shard, exchanging the rows every step changed;
* ``2x1 average``: the same, averaging both tables every ``--average-every`` steps.

Every round runs each way once, in an order that turns by one each round, so that a
slow spell of the shared machine does not always hit the same way; the table gives
the median effective words per second with the smallest and largest, and the mean
and standard deviation of the scores (Google analogies over the 30,000 most frequent
words, WordSim353; chapter 6's tools, as the command computes them). Every run
appends one line of JSON to ``--out``.

``--model``: the seconds an epoch spends exchanging rows or tables, from the bytes
each process sends per step (``w2v_lib.distributed``), for 8 GPUs on NVLink and 2 to
16 machines on 25 and 100 Gb/s Ethernet, at the scale of WikiText-103 and of
Wikipedia. Every figure it prints is a model's prediction, not a measurement.

    python bench/distributed.py --measure --rounds 3 --out bench/results/distributed.jsonl
    python bench/distributed.py --table bench/results/distributed.jsonl
    python bench/distributed.py --model
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from w2v_lib.corpus import wikitext_corpus
from w2v_lib.distributed import (LINKS, average_bytes, epoch_communication_seconds,
                                 sparse_bytes, steps_per_epoch, touched_rows)
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.roofline import GPUS, predict_words_per_second, step_cost, zipf_corpus
from w2v_lib.wikitext import WIKITEXT_103_TRAIN_TOKENS, WIKITEXT_103_VOCAB

WAYS = ("1x2", "1x2 ops", "2x1 sparse", "2x1 average")

# WikiText-103's training split (Merity et al. 2016) and, as an assumption of the
# model, all of English Wikipedia as 30 times as many tokens with 2 million words
# kept by min_count 5; about 70% of the tokens survive subsampling at 1e-3
SCALES = {"WikiText-103": (WIKITEXT_103_TRAIN_TOKENS, WIKITEXT_103_VOCAB),
          "Wikipedia": (3_100_000_000, 2_000_000)}
KEPT = 0.70


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_way(way: str, args, seed: int, out: Path) -> dict:
    common = ["--corpus", "wikitext-2", "--model", args.model, "--dim", str(args.dim),
              "--epochs", str(args.epochs), "--seed", str(seed), "--device", "cpu",
              "--quiet", "--fresh", "--out", str(out)]
    env = dict(os.environ)
    if way.startswith("1x2"):
        command = [sys.executable, "-m", "w2v_lib.train", *common, "--threads", "2",
                   "--workers", "1" if way == "1x2 ops" else "2"]
    else:
        torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
        env["OMP_NUM_THREADS"] = "1"
        command = [torchrun, "--nproc_per_node", "2", "--rdzv-backend", "c10d",
                   "--rdzv-endpoint", f"127.0.0.1:{free_port()}", "-m", "w2v_lib.train",
                   *common, "--threads", "1", "--sync", way.split()[1],
                   "--average-every", str(args.average_every)]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{way} failed:\n{result.stderr[-2000:]}")
    metrics = json.loads((out / "metrics.json").read_text())
    return {"way": way, "seed": seed, "model": args.model, "dim": args.dim,
            "epochs": args.epochs, "average_every": args.average_every,
            "words_per_second": metrics["words_per_second"],
            "training_seconds": metrics["training_seconds"],
            "wall_seconds": time.perf_counter() - started,
            "analogy": metrics["analogy_accuracy"],
            "ws353": metrics["wordsim353"]["spearman"],
            "bytes_sent": metrics["bytes_sent"],
            "effective_words": metrics["effective_words"]}


def measure(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="distributed-bench-"))
    try:
        for round_ in range(args.rounds):
            seed = args.first_seed + round_
            ways = [way for way in WAYS if way in args.ways]
            shift = round_ % len(ways)
            for way in ways[shift:] + ways[:shift]:
                record = run_way(way, args, seed, folder / way.replace(" ", "-"))
                record["round"] = round_
                record["command"] = " ".join(["python", *sys.argv])
                print(json.dumps(record), flush=True)
                if args.out:
                    with open(args.out, "a", encoding="utf-8") as file:
                        file.write(json.dumps(record) + "\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def table(path: Path) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        groups[record["way"]].append(record)
    lines = ["| way | runs | words/s: median [min, max] | analogies (%) | WS353 | "
             "MB sent per step |", "|---|---|---|---|---|---|"]
    for way in WAYS:
        runs = groups.get(way)
        if not runs:
            continue
        speeds = [r["words_per_second"] for r in runs]
        analogy = [100 * r["analogy"] for r in runs]
        ws353 = [r["ws353"] for r in runs]
        sd = (lambda v: statistics.stdev(v) if len(v) > 1 else 0.0)
        # the steps of rank 0: its share of the effective words, batch_size a step
        steps = runs[0]["effective_words"] / 2 / FastConfig.batch_size
        sent = statistics.mean(r["bytes_sent"] for r in runs) / steps / 1e6 \
            if way.startswith("2x1") else 0.0
        lines.append(f"| {way} | {len(runs)} | {statistics.median(speeds):,.0f} "
                     f"[{min(speeds):,.0f}, {max(speeds):,.0f}] | "
                     f"{statistics.mean(analogy):.2f} ± {sd(analogy):.2f} | "
                     f"{statistics.mean(ws353):.3f} ± {sd(ws353):.3f} | {sent:.3f} |")
    return "\n".join(lines)


def model(args) -> dict:
    dim, batch = args.model_dim, args.model_batch
    config = FastConfig(dim=1, batch_size=batch)  # the rows touched do not depend on d
    report = {"command": " ".join(["python", *sys.argv]), "dim": dim, "batch_size": batch,
              "average_every": args.average_every, "kept": KEPT,
              "links": {k: vars(v) for k, v in LINKS.items()}, "rows": []}
    # the model of touched rows, against the rows a step of WikiText-2 really touches
    wikitext = wikitext_corpus("wikitext-2", min_count=5)
    real = touched_rows(FastTrainer(wikitext, config), steps=args.model_steps)
    zipf = touched_rows(FastTrainer(zipf_corpus(len(wikitext.vocab), 40 * batch),
                                    config), steps=args.model_steps)
    report["wikitext2_rows"] = {"measured": real, "zipf_model": zipf,
                                "vocab": len(wikitext.vocab)}
    print(f"rows one step of {batch:,} centers changes, WikiText-2 "
          f"({len(wikitext.vocab):,} words): {real:,.0f}; the Zipf model of it: {zipf:,.0f}")
    # the GPU's own time per step, from chapter 7's model (an H100)
    cost = step_cost(FastConfig(dim=dim, batch_size=batch), SCALES["WikiText-103"][1])
    speed = predict_words_per_second(cost, GPUS["H100"])
    report["h100_words_per_second"] = speed
    print(f"chapter 7's model of one H100, d={dim}, batch {batch:,}: "
          f"{speed / 1e6:.1f} M words/s")
    for scale, (tokens, vocab) in SCALES.items():
        rows = touched_rows(FastTrainer(zipf_corpus(vocab, 40 * batch), config),
                            steps=args.model_steps)
        words = KEPT * tokens
        print(f"\n{scale}: {words / 1e6:,.0f} M effective words an epoch, {vocab:,} "
              f"words; a step changes {rows:,.0f} rows (model)")
        print(f"  {'link':20} {'N':>3} {'steps':>8} {'sparse MB/step':>14} "
              f"{'sparse s':>9} {'average MB':>10} {'average s':>9} {'compute s':>9}")
        for key, worlds in (("nvlink", [8]), ("eth25", [2, 4, 8, 16]),
                            ("eth100", [2, 4, 8, 16])):
            link = LINKS[key]
            for world in worlds:
                steps = steps_per_epoch(words, batch, world)
                seconds = {sync: epoch_communication_seconds(
                    sync, words, batch, world, vocab, dim, rows, link, args.average_every)
                    for sync in ("sparse", "average")}
                compute = words / world / speed
                row = {"scale": scale, "link": key, "world": world, "steps": steps,
                       "rows_per_step": rows,
                       "sparse_bytes_per_step": sparse_bytes(round(rows), dim, world),
                       "average_bytes": average_bytes(vocab, dim, world),
                       "sparse_seconds": seconds["sparse"],
                       "average_seconds": seconds["average"],
                       "compute_seconds": compute}
                report["rows"].append(row)
                print(f"  {link.name:20} {world:>3} {steps:>8,} "
                      f"{row['sparse_bytes_per_step'] / 1e6:>14.2f} "
                      f"{seconds['sparse']:>9,.0f} {row['average_bytes'] / 1e6:>10,.0f} "
                      f"{seconds['average']:>9,.0f} {compute:>9,.0f}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--model", action="store_true", dest="do_model")
    parser.add_argument("--table", type=Path)
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--model-name", dest="model", default="sgns")
    parser.add_argument("--average-every", type=int, default=16)
    parser.add_argument("--model-dim", type=int, default=300)
    parser.add_argument("--model-batch", type=int, default=4096)
    parser.add_argument("--model-steps", type=int, default=20)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--json", type=Path, help="--model: write the model's table here")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
    if args.measure:
        measure(args)
    if args.do_model:
        report = model(args)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
