"""This machine's two ceilings: how fast memory delivers bytes, and how fast the cores
multiply (chapter 7's roofline).

* memory bandwidth: copy a tensor much larger than every cache into another one;
  each copy reads and writes every byte once, so it moves twice the tensor's size;
* arithmetic: multiply two large square float32 matrices (2 n^3 operations), the
  best case for the cores' vector units.

Both are timed ``--repeats`` times and reported as the median with the smallest and
largest, for 1 and for ``--threads`` threads:

    python bench/bandwidth.py --threads 2 --json bench/results/machine.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys

import torch

from w2v_lib.roofline import copy_bandwidth, matmul_flops


def copy_bandwidths(megabytes: int, repeats: int) -> list[float]:
    """Bytes per second of a tensor copy (read + write), one figure per repeat."""
    return [copy_bandwidth(megabytes * 2**20, repeats=1) for _ in range(repeats)]


def matmul_rates(size: int, repeats: int) -> list[float]:
    return [matmul_flops(size, repeats=1) for _ in range(repeats)]


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--megabytes", type=int, default=512)
    parser.add_argument("--matrix", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    report = {"command": " ".join(["python", *sys.argv]), "torch": torch.__version__,
              "machine": platform.processor() or platform.machine(), "results": {}}
    for threads in sorted({1, args.threads}):
        torch.set_num_threads(threads)
        bandwidth = spread(copy_bandwidths(args.megabytes, args.repeats))
        flops = spread(matmul_rates(args.matrix, args.repeats))
        report["results"][threads] = {"copy_bytes_per_second": bandwidth,
                                      "matmul_flops_per_second": flops}
        print(f"{threads} thread(s): copy {bandwidth['median'] / 1e9:.1f} GB/s "
              f"[{bandwidth['min'] / 1e9:.1f}, {bandwidth['max'] / 1e9:.1f}], "
              f"float32 matmul {flops['median'] / 1e9:.0f} GFLOP/s "
              f"[{flops['min'] / 1e9:.0f}, {flops['max'] / 1e9:.0f}]")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)


if __name__ == "__main__":
    main()
