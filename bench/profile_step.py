"""Where a training step of the fast trainer spends its time on this CPU, and what it
moves (chapter 7; the explanation of the speed table in ``bench/results/speed.md``).

For each model, trains the first share of an epoch of WikiText-2 under
``torch.profiler`` and prints the operators that took the most time, beside the bytes
each moves per effective word as ``w2v_lib.roofline.OpCounter`` counts them from the
shapes of one step:

    python bench/profile_step.py --models sgns cbow --batch-size 4096 --steps 60
    python bench/profile_step.py --models sgns cbow --batch-size 4096 --steps 30 --dim 300
"""

from __future__ import annotations

import argparse
import sys

import torch
from torch.profiler import ProfilerActivity, profile

from w2v_lib.corpus import wikitext_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.roofline import step_cost


# the profiler's name of an operator -> the name OpCounter records it under
ALIASES = {"aten::scatter_add_": "aten::index_add_"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=("sgns", "cbow"),
                        default=["sgns", "cbow"])
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--steps", type=int, default=60, help="steps profiled per model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    corpus = wikitext_corpus("wikitext-2", min_count=5)
    print(f"Command: python {' '.join(sys.argv)}")
    for model in args.models:
        config = FastConfig(model=model, dim=args.dim, batch_size=args.batch_size)
        trainer = FastTrainer(corpus, config)
        trainer.train(progress=False, stop_after=5)  # warm up
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            trainer.train(progress=False, stop_after=args.steps)
        words = args.steps * args.batch_size
        cost = step_cost(config, len(corpus.vocab), device="cpu")
        moved: dict[str, int] = {}
        for record in cost.records:
            moved[record.name] = moved.get(record.name, 0) + record.bytes
        events = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
        total = sum(e.self_cpu_time_total for e in events)
        print(f"\n{model}, d={args.dim}, {args.batch_size:,} centers per step, "
              f"{args.steps} steps: "
              f"{total / 1e3 / args.steps:.1f} ms of operator time per step "
              f"({total / words:.2f} us per effective word); counted traffic "
              f"{cost.bytes_per_word:,.0f} bytes per effective word")
        print(f"{'operator':<28} {'share of time':>13} {'us/word':>8} {'bytes/word':>10}")
        for event in events[:args.top]:
            # on a CPU, index_add_ runs as scatter_add_
            name = ALIASES.get(event.key, event.key).removeprefix("aten::")
            bytes_ = moved.get(f"{name}.default", moved.get(f"{name}.Tensor", 0))
            print(f"{event.key:<28} {event.self_cpu_time_total / total:13.0%} "
                  f"{event.self_cpu_time_total / words:8.3f} {bytes_ / args.batch_size:10,.0f}")


if __name__ == "__main__":
    main()
