"""The solutions shown in a chapter, read from the notebook itself, so the tests check
exactly the code a reader sees in the solution dropdowns."""

from __future__ import annotations

import json
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"

# what the chapters import before their solutions run
PRELUDE = """
from collections import Counter
import torch
import torch.nn.functional as F
from torch import nn
from w2v_lib.checks import *
"""


def solution_sources(notebook: str) -> list[str]:
    """The code cells between each ``{solution-start}`` and ``{solution-end}``."""
    cells = json.loads((CHAPTERS / notebook).read_text(encoding="utf-8"))["cells"]
    sources, inside = [], False
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if "{solution-start}" in text:
                inside = True
            elif "{solution-end}" in text:
                inside = False
        elif inside:
            sources.append(text)
    return sources


def is_prediction(source: str) -> bool:
    """Whether a solution answers a "predict, then run" exercise: it sets ``prediction``
    and is checked against the chapter's own experiment, which only a run of the whole
    notebook (nbval) has."""
    return any(line.startswith("prediction =") for line in source.splitlines())


def solutions(notebook: str) -> dict:
    """Run the prelude and every solution cell of ``notebook`` that writes code (not a
    prediction); return the names they define."""
    namespace: dict = {}
    exec(PRELUDE, namespace)
    for source in solution_sources(notebook):
        if not is_prediction(source):
            exec(source, namespace)
    return namespace
