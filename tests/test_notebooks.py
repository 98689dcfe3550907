"""The stored notebooks, as the book shows them and as Colab opens them.

The book is built from the outputs stored in the notebooks, so what is stored is what
a reader sees: no errors, one output block per cell, lines that fit the book's column,
no path of the machine that ran them. And every chapter installs the course from the
one repository the book links to.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))

# The book's column holds 80 characters of code at 1280 pixels (measured on a
# screenshot of a built page); longer lines scroll sideways.
MAX_LINE = 80

# what a path on the machine that ran a notebook looks like
MACHINE_PATH = re.compile(r"(/tmp/|/var/folders/|/home/\w|/root/|/work/|site-packages"
                          r"|[A-Z]:\\\\Users)")

INSTALL_CELL = '''\
# On Colab, install the course's package from its repository.
# Anywhere else this cell does nothing.
import importlib.util
import subprocess
import sys

REPOSITORY = "{url}"
if "google.colab" in sys.modules and not importlib.util.find_spec("w2v_lib"):
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"w2v_lib @ git+{{REPOSITORY}}"], check=True)'''


def repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def output_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    data = output.get("data", {})
    if "text/plain" in data and "image/png" not in data and "text/html" not in data:
        return "".join(data["text/plain"])
    return ""


def ids(paths):
    return [p.name for p in paths]


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 7


def test_every_chapter_is_in_the_table_of_contents_and_back():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"file:\s*(chapters/[\w-]+)", toc))
    assert listed == {f"chapters/{p.stem}" for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_first_code_cell_installs_from_the_books_repository(path):
    assert "".join(code_cells(path)[0]["source"]) == INSTALL_CELL.format(
        url=repository_url())


def test_the_install_cell_is_valid_python_that_does_nothing_off_colab():
    namespace: dict = {}
    exec(INSTALL_CELL.format(url=repository_url()), namespace)
    assert namespace["REPOSITORY"].startswith("https://github.com/")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_are_stored_without_errors(path):
    cells = code_cells(path)
    assert all(c["execution_count"] is not None for c in cells), "a cell was not run"
    errors = [o.get("ename") for c in cells for o in c["outputs"]
              if o["output_type"] == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_each_cell_prints_one_block(path):
    # consecutive stream outputs would show as one box per flush; store_outputs.py
    # merges them
    for cell in code_cells(path):
        kinds = [(o["output_type"], o.get("name")) for o in cell["outputs"]]
        split = [a for a, b in zip(kinds, kinds[1:]) if a == b and a[0] == "stream"]
        assert not split, f"split output in cell {''.join(cell['source'])[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_code_and_printed_lines_fit_the_column(path):
    too_long = []
    for cell in code_cells(path):
        lines = "".join(cell["source"]).splitlines()
        lines += [line for o in cell["outputs"] for line in output_text(o).splitlines()]
        too_long += [line for line in lines if len(line) > MAX_LINE]
    assert not too_long, f"{len(too_long)} lines over {MAX_LINE}: {too_long[:3]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_output_shows_a_path_of_the_machine_that_ran_it(path):
    for cell in code_cells(path):
        for output in cell["outputs"]:
            found = MACHINE_PATH.search(output_text(output))
            assert not found, f"{found.group(0)!r} in {output_text(output)[:200]!r}"


def test_the_pages_name_no_other_repository():
    # the README and the book's pages send readers to the same repository as the
    # install cells and the book's buttons
    url = repository_url()
    for page in [ROOT / "README.md", *sorted((ROOT / "book").glob("*.md"))]:
        for found in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+",
                                page.read_text(encoding="utf-8")):
            assert found == url, f"{page.name} names {found}, the book {url}"


def solution_cells(path: Path) -> list[dict]:
    """The code cells between each {solution-start} and {solution-end} fence."""
    cells, inside, found = json.loads(path.read_text(encoding="utf-8"))["cells"], False, []
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            inside = ("{solution-start}" in text) or (inside and "{solution-end}" not in text)
        elif inside:
            found.append(cell)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_solutions_are_folded_away_in_colab_and_jupyterlab(path):
    # the book folds them into a dropdown; in a notebook they would sit in plain view
    # under the exercise. Colab shows a cell with cellView "form" as its #@title only,
    # JupyterLab collapses a cell whose source_hidden is set. nbval still runs them.
    for cell in solution_cells(path):
        source = "".join(cell["source"])
        assert source.startswith("#@title Solution"), source[:60]
        assert cell["metadata"].get("cellView") == "form"
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
