"""Execute chapter notebooks and store their outputs, as the book shows them.

    python tests/store_outputs.py chapters/05_subsampling_recipe.ipynb ...
    make outputs NOTEBOOKS="chapters/05_subsampling_recipe.ipynb"

Each notebook runs top to bottom in a fresh kernel, from the ``chapters/`` folder, at
the scale given by ``--scale`` (default ``cpu``: the stored outputs of the book come from
that scale). Consecutive printed lines of a cell are merged into one output block, so
the book shows one box per cell rather than one per flush of the kernel's output.

Nothing is written unless the whole notebook ran without an error, and the notebook is
replaced atomically: a failed or interrupted run leaves the stored one as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from w2v_lib.atomic_write import write_atomically  # noqa: E402


def coalesce_streams(outputs: list) -> list:
    """Merge each run of consecutive stream outputs with the same name (stdout or
    stderr) into one, so a cell's printed lines form one block."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] = previous["text"] + output["text"]
        else:
            merged.append(output)
    return merged


def store(path: Path, scale: str, timeout: int | None) -> float:
    """Run ``path`` at ``scale``; write it back with its new outputs. Returns seconds."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["W2V_SCALE"] = scale
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()  # raises on the first cell that fails: nothing is written then
    seconds = time.perf_counter() - started
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
            cell.metadata.pop("execution", None)
    # the form Jupyter itself saves: lines as lists, a final newline
    write_atomically(path, (nbformat.writes(notebook) + "\n").encode("utf-8"))
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--scale", default="cpu", choices=("test", "cpu", "gpu"))
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds allowed per cell (default: no limit)")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if not path.is_file():
            parser.error(f"{path} is not a notebook file")
    for path in args.notebooks:
        print(f"{path}: running at scale {args.scale!r} ...", flush=True)
        seconds = store(path, args.scale, args.timeout)
        print(f"{path}: stored, {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
