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

import difflib
import os
from collections.abc import Iterable, Sequence
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
    def most_similar(self, query: str | torch.Tensor, topn: int = 10,
                     exclude: Iterable[str] = (), restrict: int | None = None) -> list[tuple[str, float]]:
        """The ``topn`` words with the highest cosine similarity to ``query`` (a word,
        which is then left out of the answer, or a vector), best first.

        ``restrict`` limits the candidates to the first (most frequent) rows.
        """
        banned = set(exclude)
        if isinstance(query, str):
            banned.add(query)
            query = self.vectors[self.row(query)]
        cosines = self.unit[:restrict] @ torch.nn.functional.normalize(query.float(), dim=0)
        for word in banned:
            i = self.index.get(word)
            if i is not None and i < len(cosines):
                cosines[i] = -float("inf")
        best = torch.topk(cosines, min(topn, len(cosines) - len(banned)))
        return [(self.words[int(i)], float(c)) for c, i in zip(best.values, best.indices)]

    def analogy(self, a: str, b: str, c: str, method: str = "3cosadd", topn: int = 1,
                restrict: int | None = None) -> list[tuple[str, float]]:
        """Solve ``a : b :: c : ?`` ("man is to king as woman is to ?").

        Candidates are ranked by :func:`analogy_scores`. The query words are never
        answers: without that rule the best answer is almost always ``b`` or ``c``.
        """
        rows = [self.row(w) for w in (a, b, c)]
        unit = self.unit[:restrict]
        scores = analogy_scores(*(unit @ self.unit[i] for i in rows), method=method)
        for i in rows:
            if i < len(scores):
                scores[i] = -float("inf")
        best = torch.topk(scores, min(topn, len(scores) - 3))
        return [(self.words[int(i)], float(s)) for s, i in zip(best.values, best.indices)]

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

        ``words`` picks a subset (by default all words, most frequent first).
        """
        folder = Path(folder)
        words = self.words if words is None else list(words)
        matrix = self.vectors[[self.row(w) for w in words]].numpy()
        vectors_text = "".join("\t".join(f"{x:.6g}" for x in row) + "\n" for row in matrix)
        metadata_text = "".join(w + "\n" for w in words)
        return (write_atomically(folder / "vectors.tsv", vectors_text.encode()),
                write_atomically(folder / "metadata.tsv", metadata_text.encode()))

    @classmethod
    def load(cls, path: str | os.PathLike, binary: bool = False) -> WordVectors:
        """Read a file in word2vec's text or binary format, with an error that names the
        line (text) or byte offset (binary) of the first thing that is wrong."""
        path = Path(path)
        with path.open("rb") as file:
            header = file.readline()
            try:
                count, dim = (int(x) for x in header.split())
                if count < 1 or dim < 1:
                    raise ValueError
            except ValueError:
                raise ValueError(f"{path}, line 1: expected a header '<count> <dim>', got "
                                 f"{header[:60]!r}. Is this a word2vec file?") from None
            read = cls._read_binary if binary else cls._read_text
            words, matrix = read(file, path, count, dim, len(header))
        return cls(words, matrix)

    @staticmethod
    def _read_text(file, path: Path, count: int, dim: int, _offset: int):
        words, matrix = [], np.empty((count, dim), dtype=np.float32)
        for k in range(count):
            line_number = k + 2
            line = file.readline()
            if not line:
                raise ValueError(f"{path}: the file ends after {k} of the {count} vectors its header "
                                 f"announces (line {line_number} is missing). Is it truncated?")
            parts = line.decode("utf-8", errors="strict").rstrip("\n").rstrip().split(" ")
            if len(parts) != dim + 1:
                raise ValueError(f"{path}, line {line_number}: expected a word and {dim} numbers, "
                                 f"got {len(parts) - 1} numbers after {parts[0]!r}.")
            try:
                matrix[k] = [float(x) for x in parts[1:]]
            except ValueError:
                raise ValueError(f"{path}, line {line_number}: the vector of {parts[0]!r} holds "
                                 "something that is not a number.") from None
            words.append(parts[0])
        return words, matrix

    @staticmethod
    def _read_binary(file, path: Path, count: int, dim: int, offset: int):
        words, matrix = [], np.empty((count, dim), dtype=np.float32)
        data = file.read()
        position = 0
        for k in range(count):
            # skip the newline that may follow the previous vector
            while position < len(data) and data[position:position + 1] in (b"\n", b"\r"):
                position += 1
            space = data.find(b" ", position)
            if space < 0 or space - position > 1000:
                raise ValueError(f"{path}, byte {offset + position}: expected word {k + 1} of {count} "
                                 "followed by a space; the file is truncated or not in binary format.")
            word = data[position:space].decode("utf-8", errors="replace")
            start, end = space + 1, space + 1 + 4 * dim
            if end > len(data):
                raise ValueError(f"{path}, byte {offset + start}: the vector of {word!r} (word {k + 1} "
                                 f"of {count}) needs {4 * dim} bytes, but only {len(data) - start} "
                                 "remain. The file is truncated.")
            matrix[k] = np.frombuffer(data[start:end], dtype="<f4")
            words.append(word)
            position = end
        return words, matrix
