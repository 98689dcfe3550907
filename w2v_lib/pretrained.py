"""Pretrained word vectors: fetching them, and reading the most frequent part of them
(chapter 9).

Vectors trained by others on far more text than ours are one download away. gensim's
downloader (``gensim.downloader``, the "gensim-data" catalogue) serves the best known
ones as compressed files and checks each download against the MD5 checksum its
catalogue lists. The files are big, so we read only their first ``limit`` words: they
are sorted from the most to the least frequent, and the first few hundred thousand are
the ones a task ever meets.

The facts in :data:`PRETRAINED` are those their publishers give.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from .vectors import WordVectors, load_word2vec_format

__all__ = ["PretrainedVectors", "PRETRAINED", "fetch_pretrained", "load_pretrained"]


@dataclass(frozen=True)
class PretrainedVectors:
    """One set of pretrained vectors in the gensim-data catalogue.

    Introduced in chapter 9.
    """

    name: str
    method: str
    corpus: str
    words: int
    dim: int
    binary: bool


PRETRAINED: dict[str, PretrainedVectors] = {
    v.name: v for v in [
        PretrainedVectors("word2vec-google-news-300", "word2vec (word2vec.c), words and phrases",
                          "Google News, about 100 billion words", 3_000_000, 300, True),
        PretrainedVectors("glove-wiki-gigaword-300", "GloVe",
                          "Wikipedia 2014 and Gigaword 5, 6 billion tokens", 400_000, 300, False),
        PretrainedVectors("glove-wiki-gigaword-100", "GloVe",
                          "Wikipedia 2014 and Gigaword 5, 6 billion tokens", 400_000, 100, False),
        PretrainedVectors("fasttext-wiki-news-subwords-300", "fastText, with subwords",
                          "Wikipedia 2017, UMBC and statmt.org news, 16 billion tokens",
                          1_000_000, 300, False),
    ]
}


def _entry(name: str) -> PretrainedVectors:
    if name not in PRETRAINED:
        raise ValueError(f"unknown pretrained vectors {name!r}; choose one of "
                         f"{', '.join(PRETRAINED)}.")
    return PRETRAINED[name]


def fetch_pretrained(name: str) -> Path:
    """The local path of the pretrained vectors ``name``, downloading them first (into
    ``~/gensim-data``, or the folder ``GENSIM_DATA_DIR`` names) if they are not there yet.

    Introduced in chapter 9. gensim's downloader checks the download against the MD5
    checksum of its catalogue and keeps nothing of a download that fails it. Without a
    network connection, or when the download is corrupt, this is a ``ConnectionError``
    that says what happened and what to do.
    """
    _entry(name)
    import gensim.downloader

    folder = Path(gensim.downloader.BASE_DIR)
    try:
        return Path(gensim.downloader.load(name, return_path=True))
    except OSError as error:  # URLError and socket errors are OSErrors
        raise ConnectionError(f"could not download {name!r} from gensim-data ({error}). This "
                              "needs a network connection; on a machine without one, copy the "
                              f"folder {name}/ into {folder}/ from elsewhere.") from error
    except ValueError as error:
        # gensim: the catalogue could not be fetched, and no copy of it is cached
        if "unable to read local cache" not in str(error):
            raise
        raise ConnectionError(f"could not read gensim-data's catalogue: there is no network "
                              f"connection and no copy of it in {folder}/. Connect to the "
                              "internet and try again.") from error
    except Exception as error:  # gensim raises a bare Exception for a bad checksum
        if "Checksum comparison failed" not in str(error):
            raise
        raise ConnectionError(f"the download of {name!r} did not match the MD5 checksum of "
                              "gensim-data's catalogue, so it was thrown away (a broken "
                              "connection or a proxy that changed it). Try again.") from error


def _has_header(path: Path) -> bool:
    """Whether a text file of vectors starts with a ``<count> <dim>`` header line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        first = file.readline(200).split()
    return len(first) == 2 and all(part.isdigit() for part in first)


def load_pretrained(name: str, limit: int | None = 200_000) -> WordVectors:
    """The first ``limit`` words of the pretrained vectors ``name`` (all with ``None``).

    Introduced in chapter 9. 200,000 words of 300 dimensions take 240 MB; all three
    million of GoogleNews take 3.6 GB.
    """
    entry = _entry(name)
    path = fetch_pretrained(name)
    no_header = not entry.binary and not _has_header(path)
    return load_word2vec_format(path, binary=entry.binary, no_header=no_header, limit=limit)
