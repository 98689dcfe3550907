"""The ways a learner gets the course running, each tried as the learner takes it:
a regular install (Colab's), the commands the README gives, and a machine without the
corpus or a network.

The whole Colab path, a non-editable install from a git URL and every chapter run
from a folder outside the checkout, is tests/learner_path.sh, which ``make test`` runs
after these tests.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from corpus_check import missing_corpus_message
from w2v_lib import wikitext

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


def test_a_regular_install_carries_every_subpackage_and_data_file(tmp_path):
    # build the wheel a `pip install "w2v_lib @ git+..."` builds, from a copy of the
    # sources (so nothing is written into the checkout)
    source = tmp_path / "source"
    shutil.copytree(ROOT / "w2v_lib", source / "w2v_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"),
                    str(source)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("w2v_lib-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(path.relative_to(source)) for path in (source / "w2v_lib").rglob("*")
                if path.is_file() and path.suffix in {".py", ".txt"}}
    assert expected, "no sources found"
    missing = sorted(expected - packed)
    assert not missing, f"a regular install would lack {missing}"
    assert "w2v_lib/checks/__init__.py" in packed


def commands_the_docs_give() -> set[str]:
    """Every ``.venv/bin/<command>`` that the README and the how-to page tell the
    reader to run."""
    text = "".join((ROOT / page).read_text(encoding="utf-8")
                   for page in ("README.md", "book/how-to-use.md"))
    return set(re.findall(r"\.venv/bin/([\w.-]+)", text))


def test_the_commands_the_docs_give_are_installed():
    commands = commands_the_docs_give()
    assert {"jupyter", "python"} <= commands
    bin_dir = Path(sys.executable).parent
    if bin_dir.resolve() != (ROOT / ".venv" / "bin").resolve():
        pytest.skip("not running in the course's .venv, which the docs refer to")
    for command in commands:
        assert (bin_dir / command).exists(), f".venv/bin/{command} is not installed"
    # `jupyter lab` is a subcommand: it needs JupyterLab itself
    result = subprocess.run([str(bin_dir / "jupyter"), "lab", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ offline


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """An empty data folder, and a WikiText-2 source that refuses every connection
    (port 9 on 127.0.0.1, where nothing listens)."""
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path / "data"))
    archive = wikitext.ARCHIVES["wikitext-2"]
    unreachable = wikitext.Archive(**{**archive.__dict__,
                                      "urls": ("http://127.0.0.1:9/wikitext-2-v1.zip",)})
    monkeypatch.setitem(wikitext.ARCHIVES, "wikitext-2", unreachable)
    return tmp_path / "data"


def notebook(folder: Path, name: str, code: str) -> Path:
    cell = {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {},
            "outputs": [], "source": code}
    path = folder / name
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_without_the_corpus_one_message_says_where_it_looked_and_what_to_do(
        offline, tmp_path):
    reader = notebook(tmp_path, "reads.ipynb", "import w2v_lib.wikitext")
    other = notebook(tmp_path, "toy.ipynb", "print(1)")
    assert missing_corpus_message([other]) is None  # only readers need the corpus
    message = missing_corpus_message([reader, other])
    assert message is not None
    assert "reads.ipynb" in message and "toy.ipynb" not in message
    assert str(offline / "wikitext-2" / "wiki.train.tokens") in message  # where
    assert "wiki.train.tokens, wiki.valid.tokens, wiki.test.tokens" in message  # layout
    assert "internet connection" in message and "W2V_DATA_DIR" in message  # ways out
    assert "127.0.0.1:9" in message  # what failed


def test_without_the_corpus_the_test_run_stops_at_once(offline, tmp_path, pytester):
    pytester.makeconftest("from corpus_check import pytest_collection_finish")
    for chapter in ("a", "b"):
        notebook(pytester.path, f"{chapter}.ipynb",
                 "from w2v_lib.wikitext import load_sentences\nload_sentences()")
    result = pytester.runpytest("--nbval", "-p", "no:cacheprovider")
    assert result.ret == 3
    output = result.stdout.str()
    assert output.count("Looked for") == 1  # one message, not one per cell
    assert "no tests ran" in output  # stopped before the first cell


def test_the_data_setting_may_name_the_corpus_folder_itself(monkeypatch, tmp_path):
    folder = tmp_path / "somewhere" / "wikitext-2"
    folder.mkdir(parents=True)
    for split in wikitext.SPLITS:
        (folder / f"wiki.{split}.tokens").write_text(" = T = \n\n a b . \n")
    for setting in (folder, folder.parent):
        monkeypatch.setenv("W2V_DATA_DIR", str(setting))
        assert wikitext.wikitext_path("wikitext-2", "valid") == folder / "wiki.valid.tokens"
