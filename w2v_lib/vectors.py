"""Trained word vectors as an object of their own: look-ups, neighbours, analogies, and
files in word2vec's text and binary formats (chapter 6).

A model is done with its output table once training ends; what we keep is one vector
per word. :class:`WordVectors` holds the words, in order from the most to the least
frequent, and the matrix of their vectors. It answers the questions of chapter 6
(neighbours, analogies) and reads and writes the two file formats that word2vec.c
introduced and every tool since reads, gensim's ``KeyedVectors`` among them:

* text: a header line ``"<count> <dim>"``, then one line per word:
  the word and its ``dim`` numbers, separated by spaces;
* binary: the same header line, then for every word: the word, one space, and
  ``dim`` little-endian float32 numbers (word2vec.c and gensim may put a newline
  after them; both forms are read).

A save goes to a temporary file that replaces the target only once it is complete, so
a failure never leaves a half-written file behind.
"""

from __future__ import annotations

import codecs
import difflib
import operator
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import torch

from .atomic_write import write_atomically

__all__ = ["WordVectors", "analogy_scores"]


def analogy_scores(cos_a: torch.Tensor, cos_b: torch.Tensor, cos_c: torch.Tensor,
                   method: str = "3cosadd") -> torch.Tensor:
    """Score every candidate ``x`` for ``a : b :: c : x`` from its cosines with a, b, c.

    Introduced in chapter 6. ``3cosadd``: ``cos(x, b) - cos(x, a) + cos(x, c)``.
    ``3cosmul`` (Levy and Goldberg, 2014): ``cos'(x, b) * cos'(x, c) / (cos'(x, a) + 0.001)``
    with the cosines shifted to ``[0, 1]``, so that no single term can dominate the sum.
    """
    if method == "3cosadd":
        return cos_b - cos_a + cos_c
    if method == "3cosmul":
        shift = lambda cos: (cos + 1) / 2  # noqa: E731
        return shift(cos_b) * shift(cos_c) / (shift(cos_a) + 1e-3)
    raise ValueError(f"method must be '3cosadd' or '3cosmul', got {method!r}.")


def _at_least_one(name: str, value: object) -> int:
    """``value`` as an int, or a ValueError if it is not a whole number of at least 1."""
    try:
        number = operator.index(value)  # int, numpy integers; not float or bool
    except TypeError:
        number = None
    if number is None or isinstance(value, bool) or number < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return number


class WordVectors:
    """Words and their vectors, one row per word.

    Introduced in chapter 6. ``words`` should be ordered from the most to the least
    frequent (as a :class:`~w2v_lib.vocab.Vocab` is), so that "the 30,000 most frequent
    words" is the first 30,000 rows.
    """

    def __init__(self, words: Sequence[str], vectors: torch.Tensor | np.ndarray) -> None:
        matrix = torch.as_tensor(vectors).detach().cpu().float()
        if matrix.dim() != 2 or matrix.shape[0] != len(words):
            raise ValueError(f"vectors must be a matrix with one row per word: {len(words)} words, "
                             f"but vectors of shape {tuple(matrix.shape)}.")
        if len(words) == 0:
            raise ValueError("WordVectors needs at least one word.")
        self.words = list(words)
        self.index = {word: i for i, word in enumerate(self.words)}
        if len(self.index) != len(self.words):
            duplicate = next(w for i, w in enumerate(self.words) if self.index[w] != i)
            raise ValueError(f"the word {duplicate!r} appears twice; every word needs one row.")
        self.vectors = matrix
        self._unit: torch.Tensor | None = None

    @classmethod
    def from_model(cls, vectors: torch.Tensor, vocab) -> WordVectors:
        """The rows of a trained table for the words of ``vocab`` (``<unk>`` left out)."""
        if vectors.shape[0] != len(vocab):
            raise ValueError(f"vectors has {vectors.shape[0]} rows but the vocabulary has "
                             f"{len(vocab)} words; pass the table that was trained with it.")
        keep = [i for i, word in enumerate(vocab.itos) if word != vocab.unk]
        return cls([vocab.itos[i] for i in keep], torch.as_tensor(vectors)[keep])

    # --- look-ups ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __repr__(self) -> str:
        return f"WordVectors({len(self):,} words, dim {self.dim})"

    def row(self, word: str) -> int:
        """The row of ``word``; an unknown word is a KeyError that suggests close ones."""
        i = self.index.get(word)
        if i is None:
            close = difflib.get_close_matches(word, self.words[:50_000], n=3)
            hint = f" Did you mean {', '.join(repr(w) for w in close)}?" if close else ""
            raise KeyError(f"{word!r} is not among the {len(self):,} words of these vectors.{hint}")
        return i

    def __getitem__(self, word: str) -> torch.Tensor:
        return self.vectors[self.row(word)]

    @property
    def unit(self) -> torch.Tensor:
        """The vectors scaled to length 1, so that a dot product is a cosine."""
        if self._unit is None:
            self._unit = torch.nn.functional.normalize(self.vectors, dim=1)
        return self._unit

    # --- neighbours and analogies ---------------------------------------------------
    def _candidates(self, restrict: int | None, topn: int) -> int:
        """How many rows are candidates (the first ``restrict``, or all), after checking
        that ``topn`` and ``restrict`` are requests that can be met."""
        _at_least_one("topn", topn)
        if restrict is None:
            return len(self)
        return min(_at_least_one("restrict", restrict), len(self))

    def _best(self, scores: torch.Tensor, banned: set[int], topn: int) -> list[tuple[str, float]]:
        """The ``topn`` best rows of ``scores``, leaving out the rows in ``banned``: as
        many as there are candidates left, when fewer than ``topn``."""
        banned = {i for i in banned if i < len(scores)}  # the others are no candidates
        if banned:
            scores[list(banned)] = -float("inf")
        best = torch.topk(scores, min(topn, len(scores) - len(banned)))
        return [(self.words[int(i)], float(v)) for v, i in zip(best.values, best.indices)]

    def most_similar(self, query: str | torch.Tensor, topn: int = 10,
                     exclude: Iterable[str] = (), restrict: int | None = None) -> list[tuple[str, float]]:
        """The ``topn`` words with the highest cosine similarity to ``query`` (a word,
        which is then left out of the answer, or a vector), best first.

        ``restrict`` limits the candidates to the first (most frequent) rows; the words
        of ``exclude`` are never answers. Fewer than ``topn`` answers come back only when
        fewer candidates exist.
        """
        size = self._candidates(restrict, topn)
        if isinstance(exclude, str):
            raise TypeError(f"exclude must be a list of words, not the string {exclude!r}; "
                            f"write exclude=[{exclude!r}].")
        banned = {self.index[word] for word in exclude if word in self.index}
        if isinstance(query, str):
            banned.add(self.row(query))
            query = self.vectors[self.row(query)]
        query = torch.as_tensor(query).float()
        if query.shape != (self.dim,):
            raise ValueError(f"the query vector must have shape ({self.dim},), like every "
                             f"vector here; got {tuple(query.shape)}.")
        cosines = self.unit[:size] @ torch.nn.functional.normalize(query, dim=0)
        return self._best(cosines, banned, topn)

    def analogy(self, a: str, b: str, c: str, method: str = "3cosadd", topn: int = 1,
                restrict: int | None = None) -> list[tuple[str, float]]:
        """Solve ``a : b :: c : ?`` ("man is to king as woman is to ?").

        Candidates are ranked by :func:`analogy_scores`, among the first ``restrict``
        rows if given. The query words are never answers: without that rule the best
        answer is almost always ``b`` or ``c``.
        """
        size = self._candidates(restrict, topn)
        rows = [self.row(w) for w in (a, b, c)]
        unit = self.unit[:size]
        scores = analogy_scores(*(unit @ self.unit[i] for i in rows), method=method)
        return self._best(scores, set(rows), topn)

    # --- gensim -----------------------------------------------------------------------
    def to_keyed_vectors(self):
        """The same vectors as a gensim ``KeyedVectors``."""
        from gensim.models import KeyedVectors

        keyed = KeyedVectors(vector_size=self.dim)
        keyed.add_vectors(self.words, self.vectors.numpy())
        return keyed

    @classmethod
    def from_keyed_vectors(cls, keyed) -> WordVectors:
        return cls(list(keyed.index_to_key), keyed.vectors)

    # --- files ------------------------------------------------------------------------
    def save(self, path: str | os.PathLike, binary: bool = False) -> Path:
        """Write the vectors in word2vec's text or binary format, atomically."""
        path = Path(path)
        bad = next((w for w in self.words if not w or any(ch.isspace() for ch in w)), None)
        if bad is not None:
            raise ValueError(f"the word {bad!r} is empty or holds white space, which the word2vec "
                             "format cannot store; replace it (e.g. spaces by '_') before saving.")
        def write(file) -> None:
            file.write(f"{len(self)} {self.dim}\n".encode())
            matrix = self.vectors.numpy().astype("<f4")
            for word, vector in zip(self.words, matrix):
                if binary:
                    file.write(word.encode() + b" " + vector.tobytes() + b"\n")
                else:
                    numbers = " ".join(repr(float(x)) for x in vector)
                    file.write(f"{word} {numbers}\n".encode())

        return write_atomically(path, write)

    def export_projector(self, folder: str | os.PathLike, words: Sequence[str] | None = None) -> tuple[Path, Path]:
        """Write ``vectors.tsv`` and ``metadata.tsv`` for the TensorFlow Embedding Projector
        (projector.tensorflow.org: "Load", then choose the two files).

        ``words`` picks a subset (by default all words, most frequent first). Row ``i``
        of one file belongs to line ``i`` of the other, so a word that would take more
        or less than one line of ``metadata.tsv`` (an empty one, or one that holds a tab
        or a line break) is refused.
        """
        folder = Path(folder)
        words = self.words if words is None else list(words)
        bad = next((w for w in words if not w or "\t" in w or w.splitlines() != [w]), None)
        if bad is not None:
            raise ValueError(f"the word {bad!r} is empty or holds a tab or a line break, so it "
                             "would not take exactly one line of metadata.tsv and every word "
                             "after it would sit beside the wrong vector; replace those "
                             "characters (e.g. by spaces) or leave the word out.")
        matrix = self.vectors[[self.row(w) for w in words]].numpy()
        vectors_text = "".join("\t".join(f"{x:.6g}" for x in row) + "\n" for row in matrix)
        metadata_text = "".join(w + "\n" for w in words)
        return (write_atomically(folder / "vectors.tsv", vectors_text.encode()),
                write_atomically(folder / "metadata.tsv", metadata_text.encode()))

    @classmethod
    def load(cls, path: str | os.PathLike, binary: bool = False,
             unicode_errors: str = "strict") -> WordVectors:
        """Read a file in word2vec's text or binary format, with an error that names the
        line (text) or byte offset (binary) of the first thing that is wrong.

        The whole file must be what its header says: ``count`` vectors of ``dim``
        numbers, and nothing after them. Words are decoded as UTF-8; a word that is not
        valid UTF-8 is an error unless ``unicode_errors`` says what to do instead
        (``"replace"`` or ``"ignore"``, as in gensim's ``load_word2vec_format``).
        """
        path = Path(path)
        try:
            codecs.lookup_error(unicode_errors)
        except LookupError:
            raise ValueError(f"unicode_errors must be 'strict', 'replace' or 'ignore', "
                             f"got {unicode_errors!r}.") from None
        with path.open("rb") as file:
            header = file.readline()
            count, dim = _read_header(header, path)
            reader = _BinaryReader if binary else _TextReader
            words, matrix = reader(file, path, count, dim, len(header), unicode_errors).read()
        return cls(words, matrix)


def _read_header(header: bytes, path: Path) -> tuple[int, int]:
    """The ``count`` and ``dim`` of a header line ``"<count> <dim>"``."""
    try:
        count, dim = (int(x) for x in header.split())
    except ValueError:
        raise ValueError(f"{path}, line 1: expected a header '<count> <dim>', got "
                         f"{header[:60]!r}. Is this a word2vec file?") from None
    shown = header.strip()[:60].decode("ascii", errors="replace")
    if count < 0 or dim < 0:
        raise ValueError(f"{path}, line 1: the header {shown!r} holds a negative "
                         "number; it should be '<count> <dim>'. Is this a word2vec file?")
    if count == 0 or dim == 0:
        raise ValueError(f"{path}, line 1: the header {shown!r} announces "
                         + ("0 vectors" if count == 0 else "vectors of 0 numbers")
                         + ", so the file holds nothing to load (WordVectors needs at least "
                         "one word and one number per word).")
    return count, dim


# bytes that never belong to a word: word2vec.c ends a word at a space, tab or newline
_CONTROL = re.compile(rb"[\x00-\x1f]")


class _Reader:
    """What the text and binary readers share: the rows they have read (never more
    than the file can hold, whatever its header claims), strict decoding of words, and
    a check that no word comes twice."""

    def __init__(self, file, path: Path, count: int, dim: int, offset: int,
                 unicode_errors: str) -> None:
        self.file, self.path, self.count, self.dim = file, path, count, dim
        self.offset, self.unicode_errors = offset, unicode_errors
        self.words: list[str] = []
        self.first_seen: dict[str, str] = {}  # word -> where it was read
        self.replaced: set[str] = set()  # words read with unicode_errors applied

    def allocate(self, rows_at_most: int) -> np.ndarray:
        """The matrix for the vectors: a header of 999999999999 vectors must not
        allocate a PiB when the file cannot hold that many records."""
        return np.empty((max(1, min(self.count, rows_at_most)), self.dim), dtype=np.float32)

    def decode(self, raw: bytes, where: Callable[[int], str], hint: str) -> str:
        """``raw`` decoded as UTF-8; ``where`` names the place of a byte in the file."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if self.unicode_errors == "strict":
                raise ValueError(
                    f"{self.path}, {where(error.start)}: {raw[:60]!r} is not valid UTF-8.{hint} "
                    "To load it anyway, pass unicode_errors='replace' (or 'ignore')."
                ) from None
        word = raw.decode("utf-8", errors=self.unicode_errors)
        self.replaced.add(word)
        return word

    def add(self, word: str, where: str) -> None:
        if word in self.first_seen:
            why = (f": unicode_errors={self.unicode_errors!r} made two different byte strings "
                   "into this one word" if word in self.replaced else "")
            raise ValueError(f"{self.path}, {where}: the word {word!r} appears a second time "
                             f"(first at {self.first_seen[word]}){why}. Every word needs "
                             "exactly one vector.")
        self.first_seen[word] = where
        self.words.append(word)


class _TextReader(_Reader):
    def read(self) -> tuple[list[str], np.ndarray]:
        path, count, dim = self.path, self.count, self.dim
        # the shortest line that can pass is dim one-digit numbers, each after a space;
        # the size of a pipe is unknown: start small and grow
        status = os.fstat(self.file.fileno())
        remaining = status.st_size - self.offset if stat.S_ISREG(status.st_mode) else 2 ** 20
        matrix = self.allocate(remaining // (2 * dim) + 1)
        for k in range(count):
            if k == len(matrix):
                matrix = np.concatenate([matrix, self.allocate(len(matrix))])
            line_number = k + 2
            line = self.file.readline()
            if not line:
                raise ValueError(f"{path}: the file ends after {k} of the {count} vectors its header "
                                 f"announces (line {line_number} is missing). Is it truncated?")
            hint = " If this is a binary word2vec file, load it with binary=True." \
                if k == 0 else ""
            text = self.decode(line, lambda column: f"line {line_number}, byte {column + 1}",
                               hint)
            parts = text.rstrip("\n").rstrip().split(" ")
            if len(parts) != dim + 1:
                raise ValueError(f"{path}, line {line_number}: expected a word and {dim} numbers, "
                                 f"got {len(parts) - 1} numbers after {parts[0]!r}.")
            if not parts[0]:
                raise ValueError(f"{path}, line {line_number}: the line starts with a space, so "
                                 "its word is empty.")
            try:
                matrix[k] = [float(x) for x in parts[1:]]
            except ValueError:
                raise ValueError(f"{path}, line {line_number}: the vector of {parts[0]!r} holds "
                                 "something that is not a number.") from None
            self.add(parts[0], f"line {line_number}")
        for line_number, line in enumerate(self.file, start=count + 2):
            if line.strip():
                raise ValueError(f"{path}, line {line_number}: the header announces {count} "
                                 f"vectors, but the file goes on after them. Is the count in "
                                 "the header wrong?")
        return self.words, matrix[:count]


class _BinaryReader(_Reader):
    def read(self) -> tuple[list[str], np.ndarray]:
        path, count, dim, offset = self.path, self.count, self.dim, self.offset
        data = self.file.read()
        matrix = self.allocate(len(data) // (4 * dim + 1) + 1)  # a space, dim float32s
        self.refuse_text(data)
        position = 0
        for k in range(count):
            # skip the newline that may follow the previous vector
            while position < len(data) and data[position:position + 1] in (b"\n", b"\r"):
                position += 1
            space = data.find(b" ", position)
            if space < 0 or space - position > 1000:
                raise ValueError(f"{path}, byte {offset + position}: expected word {k + 1} of {count} "
                                 "followed by a space; the file is truncated or not in binary format.")
            raw = data[position:space]
            if not raw or _CONTROL.search(raw):
                raise ValueError(
                    f"{path}, byte {offset + position}: word {k + 1} of {count}, {raw[:60]!r}, "
                    "is empty or holds control characters. The dimension in the header "
                    f"({dim}) may be wrong, or the file is not in binary format.")
            word = self.decode(raw, lambda at: f"byte {offset + position + at} (word {k + 1} "
                               f"of {count})", "")
            start, end = space + 1, space + 1 + 4 * dim
            if end > len(data):
                raise ValueError(f"{path}, byte {offset + start}: the vector of {word!r} (word {k + 1} "
                                 f"of {count}) needs {4 * dim} bytes, but only {len(data) - start} "
                                 "remain. The file is truncated.")
            matrix[k] = np.frombuffer(data[start:end], dtype="<f4")
            self.add(word, f"byte {offset + position}")
            position = end
        rest = data[position:]
        if rest.strip(b"\r\n"):
            raise ValueError(
                f"{path}, byte {offset + position}: the header announces {count} vectors of "
                f"{dim} numbers, but {len(rest)} more bytes follow the last of them. The "
                "header is wrong, or the file is not in binary format.")
        return self.words, matrix

    def refuse_text(self, data: bytes) -> None:
        """A text file read as binary would give words made of digits: say what it is."""
        first = data[:data.find(b"\n")] if b"\n" in data else data
        try:
            parts = first.decode("utf-8").rstrip().split(" ")
            [float(x) for x in parts[1:]]
        except ValueError:  # UnicodeDecodeError is a ValueError too
            return
        if len(parts) == self.dim + 1:
            raise ValueError(f"{self.path}: this is a word2vec text file (line 2 is a word and "
                             f"{self.dim} numbers written out); load it with binary=False.")


# --- other formats, compressed files and partial reads (chapter 9) ----------------------
#
# Pretrained vectors come in three text layouts and one binary one. word2vec.c's text and
# binary files start with a header line "<count> <dim>"; fastText's ``.vec`` files are
# word2vec text files; GloVe's files have no header at all: every line is a word and its
# numbers. The big ones (GoogleNews: 3 million words, 3.6 GB of floats) are usually read
# in part: ``limit`` keeps the first (most frequent) words and never reads the rest.

__all__ += ["load_glove", "load_word2vec_format"]


def _open_vectors(path: Path):
    """The file as bytes, decompressed on the fly when its name ends in ``.gz``."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file. Check the path, or download the "
                                "vectors first.")
    if path.suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")
    return path.open("rb")


def _check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a whole number of at least 1, or None for every "
                         f"vector; got {limit!r}.")


def _parse_text_line(line: bytes, path: Path, line_number: int, dim: int | None,
                     unicode_errors: str) -> tuple[str, np.ndarray]:
    """One line ``word x1 x2 ... xd`` of a text file; ``dim=None`` accepts any width."""
    try:
        text = line.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}, line {line_number}: not valid UTF-8 ({error.reason} at "
                         f"byte {error.start} of the line). Pass unicode_errors='replace' "
                         "to read it anyway.") from None
    # rstrip: fastText writes a space before the newline, Windows tools write "\r\n"
    parts = text.rstrip().split(" ")
    if dim is not None and len(parts) != dim + 1:
        raise ValueError(f"{path}, line {line_number}: expected a word and {dim} numbers, "
                         f"got {len(parts) - 1} numbers after {parts[0]!r}.")
    if len(parts) < 2 or not parts[0]:
        raise ValueError(f"{path}, line {line_number}: expected a word and its numbers, "
                         f"got {text[:60]!r}.")
    try:
        vector = np.array(parts[1:], dtype=np.float32)
    except ValueError:
        raise ValueError(f"{path}, line {line_number}: the vector of {parts[0]!r} holds "
                         "something that is not a number.") from None
    return parts[0], vector


def load_glove(path: str | os.PathLike, limit: int | None = None,
               unicode_errors: str = "strict") -> WordVectors:
    """Read GloVe's text format: no header, one word and its numbers per line.

    Introduced in chapter 9. The dimension is the width of the first line; ``limit``
    keeps the first ``limit`` words (GloVe's files are sorted by frequency). gensim reads
    the same files with ``KeyedVectors.load_word2vec_format(path, no_header=True)``.
    """
    path = Path(path)
    _check_limit(limit)
    words: list[str] = []
    rows: list[np.ndarray] = []
    with _open_vectors(path) as file:
        for line_number, line in enumerate(file, start=1):
            if limit is not None and len(words) == limit:
                break
            if not line.strip():
                continue
            dim = len(rows[0]) if rows else None
            word, vector = _parse_text_line(line, path, line_number, dim, unicode_errors)
            if not rows and len(vector) == 1 and float(vector[0]).is_integer() \
                    and word.isdigit():
                raise ValueError(f"{path}, line 1: {line.strip()[:60]!r} looks like a word2vec "
                                 "header '<count> <dim>', not a GloVe line. Read this file "
                                 "with load_word2vec_format(path) instead.")
            words.append(word)
            rows.append(vector)
    if not words:
        raise ValueError(f"{path}: the file holds no vectors.")
    return WordVectors(words, np.stack(rows))


def _header_line(file, path: Path, binary: bool) -> tuple[int, int, int]:
    """The ``<count> <dim>`` line of a word2vec file: count, dim and its length in bytes;
    :func:`_read_header`'s checks, with a hint at the format the file may be in instead."""
    header = file.readline(200)
    try:
        count, dim = _read_header(header, path)
    except ValueError as error:
        hint = ("Is it a word2vec binary file? fastText's .bin models are read with "
                "gensim's load_facebook_vectors." if binary else
                "A GloVe file has no header: read it with no_header=True (or load_glove).")
        raise ValueError(f"{error} {hint}") from None
    return count, dim, len(header)


def _read_binary_record(file, path: Path, offset: int, k: int, count: int, dim: int,
                        unicode_errors: str) -> tuple[str, np.ndarray, int]:
    """Word ``k`` of a binary word2vec file, read from ``offset``: the word, its vector
    and the offset after it. One byte at a time for the word, so that ``limit`` words
    of a 3.6 GB file cost only what they hold."""
    word = bytearray()
    while True:
        byte = file.read(1)
        if not byte:
            raise ValueError(f"{path}, byte {offset}: the file ends after {k} of the "
                             f"{count} vectors its header announces. Is it truncated?")
        offset += 1
        if byte == b" ":
            break
        if byte in b"\r\n" and not word:
            continue  # the newline some writers put after each vector
        word += byte
        if len(word) > 1000:
            raise ValueError(f"{path}, byte {offset}: word {k + 1} of {count} is over 1,000 "
                             "bytes long; the file is not in binary format (pass "
                             "binary=False for a text file).")
    try:
        text = word.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}, byte {offset - len(word) - 1 + error.start}: word {k + 1} "
                         f"is not valid UTF-8 ({error.reason}). Pass "
                         "unicode_errors='replace' to read it anyway.") from None
    data = file.read(4 * dim)
    if len(data) < 4 * dim:
        raise ValueError(f"{path}, byte {offset}: the vector of {text!r} (word {k + 1} of "
                         f"{count}) needs {4 * dim} bytes, but only {len(data)} remain. The "
                         "file is truncated.")
    return text, np.frombuffer(data, dtype="<f4"), offset + 4 * dim


def load_word2vec_format(path: str | os.PathLike, binary: bool = False,
                         no_header: bool = False, limit: int | None = None,
                         unicode_errors: str = "strict") -> WordVectors:
    """Read vectors the way gensim's ``KeyedVectors.load_word2vec_format`` does, with its
    parameter names: word2vec text (also fastText's ``.vec``) or ``binary`` (GoogleNews),
    or GloVe's text with ``no_header=True``; plain or ``.gz``.

    Introduced in chapter 9. With ``limit``, only the first ``limit`` vectors are read,
    the rest of the file is never touched: ``limit=200_000`` reads 240 MB of the
    GoogleNews file instead of 3.6 GB.
    """
    path = Path(path)
    _check_limit(limit)
    if no_header:
        if binary:
            raise ValueError("no_header=True is for GloVe's text files; a binary word2vec "
                             "file always has a header.")
        return load_glove(path, limit=limit, unicode_errors=unicode_errors)
    with _open_vectors(path) as file:
        count, dim, offset = _header_line(file, path, binary)
        n = count if limit is None else min(count, limit)
        words, matrix = [], np.empty((n, dim), dtype=np.float32)
        for k in range(n):
            if binary:
                word, matrix[k], offset = _read_binary_record(file, path, offset, k, count,
                                                              dim, unicode_errors)
            else:
                line = file.readline()
                if not line:
                    raise ValueError(f"{path}: the file ends after {k} of the {count} "
                                     f"vectors its header announces (line {k + 2} is "
                                     "missing). Is it truncated?")
                word, matrix[k] = _parse_text_line(line, path, k + 2, dim, unicode_errors)
            words.append(word)
    return WordVectors(words, matrix)
