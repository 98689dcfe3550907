"""What the command-line tests share: the arguments of a run that takes a second or
less, and the small corpus it trains on."""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest
import torch

# a run of the command on the corpus below: 8 dimensions, two epochs, on the CPU
SMALL = ["--dim", "8", "--window", "2", "--epochs", "2", "--min-count", "2", "--batch-size",
         "64", "--device", "cpu", "--quiet"]


def write_text_corpus(path: Path) -> Path:
    """300 lines of 3 to 20 words drawn from 40, and a blank line at the end (which the
    command must skip), written to ``path``."""
    rng = random.Random(0)
    words = [f"w{i}" for i in range(40)]
    lines = [" ".join(rng.choices(words, k=rng.randint(3, 20))) for _ in range(300)]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    return path


def wait_for_second_epoch(checkpoint: Path, process: subprocess.Popen, seconds: float) -> None:
    """Wait until the checkpoint a running command writes is inside its second epoch
    (a position worth interrupting), and fail the test if that takes longer than
    ``seconds`` or the command ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if checkpoint.exists():
            state = torch.load(checkpoint, weights_only=True)
            if state["epoch"] >= 1 and state["batch"] > 0:
                return
        time.sleep(0.05)
    ended = process.poll() is not None
    pytest.fail("the run never reached its second epoch"
                + (f" (it ended with code {process.returncode})" if ended else ""))
