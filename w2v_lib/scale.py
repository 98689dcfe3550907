"""One knob for how big every experiment in the book is (chapter 1).

Each chapter runs at one of three scales:

* ``test``: tiny, seconds on two CPU cores; what the notebook tests in CI use;
* ``cpu``: what a reader runs on a laptop, and what the stored outputs of the book show;
* ``gpu``: bigger corpora and models, for a machine with a CUDA GPU (Colab's, say).

The scale comes from the environment variable ``W2V_SCALE``. Left unset, it is
``gpu`` when PyTorch sees a CUDA device and ``cpu`` otherwise, so a notebook opened on
Colab or on a laptop picks a size that fits without any edit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

import torch

__all__ = ["SCALES", "Scale", "current_scale", "pick_device"]

SCALES = ("test", "cpu", "gpu")
T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    """The scale a notebook runs at, and the device it trains on."""

    name: str
    device: torch.device

    def pick(self, *, test: T, cpu: T, gpu: T) -> T:
        """Choose the value for this scale: ``scale.pick(test=1_000, cpu=100_000, gpu=10_000_000)``."""
        return {"test": test, "cpu": cpu, "gpu": gpu}[self.name]

    def __str__(self) -> str:
        return f"scale {self.name!r} on {self.device}"


def pick_device() -> torch.device:
    """The fastest device here: a CUDA GPU if there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def current_scale() -> Scale:
    """Read ``W2V_SCALE`` (``test``, ``cpu`` or ``gpu``) and return the scale to run at.

    Introduced in chapter 1. The ``gpu`` scale needs a CUDA device; asking for it
    without one is an error, since its sizes would take hours on a CPU.
    """
    device = pick_device()
    name = os.environ.get("W2V_SCALE", "").strip().lower()
    if not name:
        name = "gpu" if device.type == "cuda" else "cpu"
    if name not in SCALES:
        raise ValueError(
            f"W2V_SCALE={name!r} is not a scale this book knows. "
            f"Set it to one of {', '.join(SCALES)}, or unset it to choose by the device."
        )
    if name == "gpu" and device.type != "cuda":
        raise RuntimeError(
            "W2V_SCALE=gpu needs a CUDA GPU, and PyTorch sees none here. "
            "Set W2V_SCALE=cpu (or unset it), or switch to a GPU runtime."
        )
    # the small scales stay on the CPU even where a GPU exists, so they give the same
    # numbers everywhere
    if name != "gpu":
        device = torch.device("cpu")
    return Scale(name=name, device=device)
