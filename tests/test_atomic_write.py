"""write_atomically: whole files or none, with the permissions open(path, "w") gives."""

from __future__ import annotations

import os
import stat

import pytest
import torch

from w2v_lib.atomic_write import write_atomically
from w2v_lib.vectors import WordVectors


@pytest.fixture
def umask():
    """Set the umask for one test and put the old one back afterwards."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def plain_open_mode(path, mask: int) -> int:
    """The mode a plain open(..., "w") gives a new file under ``mask``: the reference."""
    os.umask(mask)
    with open(path, "w"):
        pass
    found = mode(path)
    os.remove(path)
    return found


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
@pytest.mark.parametrize("content", [b"bytes\n", lambda file: file.write(b"written\n")])
def test_a_new_file_gets_the_mode_a_plain_open_gives(tmp_path, umask, mask, content):
    expected = plain_open_mode(tmp_path / "reference", mask)
    umask(mask)
    path = write_atomically(tmp_path / "new.txt", content)
    assert mode(path) == expected, f"mode {mode(path):o}, a plain open gives {expected:o}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt"]  # no temporary left


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o600, 0o664])
def test_a_replaced_file_keeps_its_mode(tmp_path, umask, existing):
    umask(0o077)  # a umask that would give 0600: the existing mode must win
    path = tmp_path / "vectors.txt"
    path.write_text("old\n")
    os.chmod(path, existing)
    write_atomically(path, b"new\n")
    assert path.read_text() == "new\n"
    assert mode(path) == existing, f"mode {mode(path):o}, it was {existing:o}"


def test_vectors_and_projector_files_are_readable_by_others(tmp_path, umask):
    umask(0o022)
    vectors = WordVectors(["a", "b"], torch.ones(2, 3))
    paths = [vectors.save(tmp_path / "vectors.txt"),
             *vectors.export_projector(tmp_path / "projector")]
    assert {p.name: f"{mode(p):o}" for p in paths} == {
        "vectors.txt": "644", "vectors.tsv": "644", "metadata.tsv": "644"}


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("old\n")

    def failing(file):
        file.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, failing)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]
