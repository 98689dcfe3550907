"""Writing a file so that it is either whole or not there (chapters 6 and 7).

Vectors, checkpoints and metrics are written to a temporary file beside the target and
then moved into place with ``os.replace``, which is atomic on one file system. A crash
or an error while writing leaves the previous file untouched and no temporary behind.

The file ends up with the permissions a plain ``open(path, "w")`` would give it: a new
file gets the usual mode less the umask (``-rw-r--r--`` on most systems), and a file
that is replaced keeps the mode it had. (``tempfile.mkstemp`` would make every file
private to its owner, ``-rw-------``, whatever the umask says.)
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomically"]

# create the temporary file ourselves, exclusively, so that the umask applies to it
_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
          | getattr(os, "O_CLOEXEC", 0))


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new, empty file beside ``path``, opened for writing, with mode 0o666 less the
    umask (the operating system applies the umask, as it does for ``open``)."""
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(temporary, _FLAGS, 0o666), temporary
        except FileExistsError:  # a name already taken: draw another
            continue
    raise FileExistsError(f"could not find a free temporary name beside {path}")


def write_atomically(path: str | os.PathLike[str],
                     content: bytes | Callable[[BinaryIO], object]) -> Path:
    """Write ``content`` to ``path`` atomically and return the path.

    Introduced in chapter 6. ``content`` is the bytes to write, or a function that
    writes them to the binary file it is given (for output too large to build in
    memory first, such as a checkpoint). The folder is created if needed. A new file
    gets the permissions ``open(path, "w")`` would give it; a replaced file keeps its
    own.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_temporary(path)
    try:
        with os.fdopen(handle, "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content)
            # on disk before the rename, so that a power cut cannot leave an empty file
            # where the old one was
            file.flush()
            os.fsync(file.fileno())
        try:
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))  # keep its mode
        except FileNotFoundError:
            pass  # a new file: the umask already gave it its mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
