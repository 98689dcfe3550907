"""Bad input to ``python -m w2v_lib.train``, as one table.

Every row is a command line that must fail: the exit status it must end with, a piece
of the one-line message it must print, and, for every row, the promise that nothing
was written, changed or removed (no run folder left behind, no checkpoint touched).
To cover a new case, add a row: ``Bad(id, arguments, message, ...)``.

Each command runs in a work folder of its own that holds a small, valid corpus,
``corpus.txt``; the arguments come after ``--corpus corpus.txt --out run`` and a small
model's settings, so a row overrides them by naming the option again.
"""

from __future__ import annotations

import os
import random
import shutil
import stat
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch

from w2v_lib.corpus import encode_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.train import main

SMALL = ["--dim", "8", "--window", "2", "--epochs", "2", "--min-count", "2", "--batch-size",
         "64", "--device", "cpu", "--quiet", "--no-eval"]
CONFIG = FastConfig(dim=8, window=2, epochs=2, batch_size=64)  # the same settings
NOBODY = 65534


def write(name: str, data: bytes | str, mode: int | None = None) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(path, mode)
    return setup


def locked_folder(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / name).mkdir()
        os.chmod(folder / name, 0o555)
    return setup


def checkpoint(change: Callable[[dict], None] = lambda state: None, finished: bool = False,
               config: FastConfig = CONFIG, corpus: str = "corpus.txt"
               ) -> Callable[[Path], None]:
    """A checkpoint in ``run/``, made by the trainer on ``corpus``, then changed."""
    def setup(folder: Path) -> None:
        lines = (folder / corpus).read_text().splitlines()
        encoded = encode_corpus(lambda: (line.split() for line in lines if line.split()),
                                min_count=2)
        path = folder / "run" / "checkpoint.pt"
        FastTrainer(encoded, config).train(progress=False, checkpoint=path,
                                           stop_after=None if finished else 2)
        state = torch.load(path, weights_only=True)
        change(state)
        torch.save(state, path)
    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        for one in setups:
            one(folder)
    return setup


def widen(state: dict) -> None:
    state["w_in"] = torch.zeros(state["w_in"].shape[0], 9)


@dataclass(frozen=True)
class Bad:
    id: str
    arguments: list[str]
    message: str  # a piece of the last line of stderr
    code: int = 2
    setup: Callable[[Path], None] = field(default=lambda folder: None)
    # permissions bind no one running as root: run this row as an ordinary user
    unprivileged: bool = False


OTHER_CORPUS = "\n".join(" ".join(f"w{(i * j) % 40}" for j in range(12)) for i in range(300))

TABLE = [
    # the settings
    Bad("dim-zero", ["--dim", "0"], "--dim: expected a whole number of at least 1, got 0"),
    Bad("window-word", ["--window", "five"], "--window: expected a whole number, got 'five'"),
    Bad("model-unknown", ["--model", "glove"], "invalid choice: 'glove'"),
    Bad("sample-negative", ["--sample", "-1"], "--sample: expected a number of at least 0"),
    Bad("sample-too-large", ["--sample", "1.5"],
        "sample must be 0 (off) or a small positive threshold"),
    Bad("checkpoint-every-nan", ["--checkpoint-every", "nan"],
        "--checkpoint-every: expected a number of at least 0"),
    Bad("seed-too-large", ["--seed", str(2**64)],
        "--seed: expected a whole number from 0 to 4294967295, got 18446744073709551616"),
    Bad("seed-negative", ["--seed", "-1"], "--seed: expected a whole number from 0 to"),
    Bad("device-unknown", ["--device", "tpu"], "--device 'tpu' is not a device"),
    Bad("device-meta", ["--device", "meta"],
        "--device meta: the trainer runs on a CPU or a CUDA GPU, not on 'meta'"),
    Bad("device-missing-gpu", ["--device", "cuda:99"], "--device cuda:99"),
    # the corpus
    Bad("corpus-unknown", ["--corpus", "wikitext-4"], "neither a WikiText name"),
    Bad("corpus-folder", ["--corpus", "."], "--corpus . is a folder"),
    Bad("split-of-a-file", ["--split", "valid"],
        "--split chooses a part of WikiText, but --corpus corpus.txt is a file"),
    Bad("corpus-unreadable", ["--corpus", "secret.txt"], "--corpus secret.txt cannot be read",
        setup=write("secret.txt", "a b c\n", mode=0o000), unprivileged=True),
    Bad("corpus-empty", ["--corpus", "empty.txt"], "--corpus empty.txt holds no words",
        setup=write("empty.txt", "")),
    Bad("corpus-white-space", ["--corpus", "blank.txt"], "--corpus blank.txt holds no words",
        setup=write("blank.txt", " \n\t\n\r\n  \n")),
    Bad("corpus-latin-1", ["--corpus", "latin.txt"],
        r"--corpus latin.txt, line 2, byte 4: b'\xe9' is not UTF-8",
        setup=write("latin.txt", b"a b c\ncaf\xe9 au lait\n")),
    Bad("corpus-binary", ["--corpus", "model.bin"], "--corpus model.bin, line 2: holds a NUL",
        setup=write("model.bin", b"a b\n\x00\x01\x02\x00\n")),
    Bad("corpus-utf-16", ["--corpus", "utf16.txt"], "binary file or UTF-16 text",
        setup=write("utf16.txt", "a b c\n".encode("utf-16"))),
    Bad("min-count-too-high", ["--min-count", "100000"],
        "min_count=100000 removes every word"),
    # the output folder
    Bad("out-is-a-file", ["--out", "notes.txt"], "--out notes.txt is a file; give a folder",
        setup=write("notes.txt", "notes\n")),
    Bad("out-below-a-file", ["--out", "notes.txt/run"],
        "--out notes.txt/run lies below notes.txt, which is a file",
        setup=write("notes.txt", "notes\n")),
    Bad("out-unwritable", ["--out", "locked"], "--out locked cannot be written (Permission",
        setup=locked_folder("locked"), unprivileged=True),
    Bad("out-below-unwritable", ["--out", "locked/run/inner"],
        "--out locked/run/inner cannot be written (Permission", setup=locked_folder("locked"),
        unprivileged=True),
    # the checkpoint in the output folder
    Bad("checkpoint-finished-wrong-width", [], "the field 'w_in' of the checkpoint is a "
        "torch.float32 tensor of shape (40, 9)", setup=checkpoint(widen, finished=True)),
    Bad("checkpoint-missing-field", [], "the field 'generator' of the checkpoint is missing",
        setup=checkpoint(lambda state: state.pop("generator"))),
    Bad("checkpoint-extra-setting", [], "the field 'config' of the checkpoint holds an "
        "unknown setting 'momentum'",
        setup=checkpoint(lambda state: state["config"].__setitem__("momentum", 0.9))),
    Bad("checkpoint-bad-generator", [], "the field 'generator' of the checkpoint is not the "
        "state of a random generator",
        setup=checkpoint(lambda state: state.__setitem__("generator", torch.zeros(
            3, dtype=torch.uint8)))),
    Bad("checkpoint-other-settings", [], "holds a run with other settings",
        setup=checkpoint(config=FastConfig(dim=16, window=2, epochs=2, batch_size=64))),
    Bad("checkpoint-other-corpus", [], "was made on another corpus",
        setup=both(write("other.txt", OTHER_CORPUS), checkpoint(corpus="other.txt"))),
    Bad("checkpoint-unreadable", [], "is not a readable checkpoint",
        setup=both(checkpoint(), write("run/checkpoint.pt", b"\x80\x02not a checkpoint"))),
]


@pytest.fixture
def folder(monkeypatch):
    """A work folder with a valid corpus, that an ordinary user may enter and read
    (pytest's own temporary folders are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="w2v-bad-input-"))
    os.chmod(path, 0o755)
    rng = random.Random(0)
    words = [f"w{i}" for i in range(40)]
    (path / "corpus.txt").write_text(
        "\n".join(" ".join(rng.choices(words, k=rng.randint(3, 20))) for _ in range(300)) + "\n")
    monkeypatch.chdir(path)
    yield path
    for child in path.rglob("*"):  # let the clean-up into what a row locked
        if not child.is_symlink():
            os.chmod(child, 0o755)
    shutil.rmtree(path)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder below ``folder``, with what would change if it were written."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        kind = "folder" if stat.S_ISDIR(info.st_mode) else "file"
        seen[str(path.relative_to(folder))] = (
            kind, stat.S_IMODE(info.st_mode),
            None if kind == "folder" else (info.st_size, info.st_mtime_ns, info.st_ino))
    return seen


@contextmanager
def as_user(unprivileged: bool):
    """Run as an ordinary user while the row needs it (only root has to change)."""
    if not unprivileged or os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.mark.parametrize("row", TABLE, ids=[row.id for row in TABLE])
def test_bad_input_gets_one_clear_line_and_changes_nothing(folder, capsys, row):
    row.setup(folder)
    before = snapshot(folder)
    capsys.readouterr()
    with as_user(row.unprivileged), pytest.raises(SystemExit) as stopped:
        main(["--corpus", "corpus.txt", "--out", "run", *SMALL, *row.arguments])
    err = capsys.readouterr().err
    assert stopped.value.code == row.code, err
    lines = err.strip().splitlines()
    assert row.message in lines[-1], err
    # one line; argparse's own errors put the usage above it
    assert len(lines) == 1 or lines[0].startswith("usage:"), err
    assert "Traceback" not in err
    assert snapshot(folder) == before  # nothing written, changed or removed


def test_the_table_covers_the_cases_of_issue_13():
    ids = {row.id for row in TABLE}
    assert {"min-count-too-high", "corpus-empty", "corpus-white-space", "corpus-latin-1",
            "corpus-binary", "corpus-unreadable", "out-below-a-file", "out-unwritable",
            "seed-too-large", "device-meta", "split-of-a-file",
            "checkpoint-finished-wrong-width", "checkpoint-missing-field",
            "checkpoint-extra-setting", "checkpoint-bad-generator"} <= ids


def test_an_unwritable_out_is_found_before_anything_is_trained(folder, monkeypatch, capsys):
    """The lost-work case: the check must come before training, not at the first save."""
    trained = []
    monkeypatch.setattr(FastTrainer, "train", lambda *a, **k: trained.append(1))
    locked_folder("locked")(folder)
    with as_user(True), pytest.raises(SystemExit):
        main(["--corpus", "corpus.txt", "--out", "locked", *SMALL])
    assert trained == []
    assert "cannot be written" in capsys.readouterr().err


def test_a_run_that_fails_after_making_its_folder_removes_it_but_keeps_a_checkpoint(
        folder, monkeypatch):
    def interrupted(self, checkpoint=None, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(FastTrainer, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["--corpus", "corpus.txt", "--out", "runs/new/run", *SMALL])
    assert not (folder / "runs").exists()  # every folder it made, empty, is gone

    def saved_then_interrupted(self, checkpoint=None, **kwargs):
        self.save(checkpoint)
        raise KeyboardInterrupt

    monkeypatch.setattr(FastTrainer, "train", saved_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["--corpus", "corpus.txt", "--out", "runs/new/run", *SMALL])
    assert (folder / "runs" / "new" / "run" / "checkpoint.pt").is_file()  # work is kept
