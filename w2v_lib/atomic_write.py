"""Writing a file so that it is either whole or not there (chapters 6 and 7).

Vectors, checkpoints and metrics are written to a temporary file beside the target and
then moved into place with ``os.replace``, which is atomic on one file system. A crash
or an error while writing leaves the previous file untouched and no temporary behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike[str],
                     content: bytes | Callable[[BinaryIO], object]) -> Path:
    """Write ``content`` to ``path`` atomically and return the path.

    Introduced in chapter 6. ``content`` is the bytes to write, or a function that
    writes them to the binary file it is given (for output too large to build in
    memory first, such as a checkpoint). The folder is created if needed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
