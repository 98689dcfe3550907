"""The WikiText corpora: where they live, how they are downloaded, how they are read
(chapter 2).

WikiText (Merity et al., 2016) is a set of good Wikipedia articles in two sizes:
WikiText-2 (about 2 million words of training text) and WikiText-103 (about 100
million). Each comes in two forms: a tokenized one, where rare words are already
replaced by ``<unk>`` and punctuation is split off, and a raw one. The course trains on
the tokenized forms: WikiText-2 from chapter 2 on, WikiText-103 in chapter 7.

Downloads are checked against pinned SHA-256 hashes and are atomic: a file only
appears under its final name once it is complete and verified, so a broken transfer
or a tampered archive never leaves behind something that looks usable. Extraction
refuses any member whose path would leave the target folder.

A copy that is already extracted (for example on a machine without internet) stands
in for the download: point the environment variable ``W2V_DATA_DIR`` at the folder
that holds ``wikitext-2/`` and nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath


__all__ = [
    "ARCHIVES",
    "SPLITS",
    "WIKITEXT_103_TRAIN_TOKENS",
    "WIKITEXT_103_VOCAB",
    "ChecksumError",
    "ParagraphStream",
    "DownloadError",
    "data_dir",
    "iter_paragraphs",
    "load_sentences",
    "wikitext_path",
]

logger = logging.getLogger(__name__)

SPLITS = ("train", "valid", "test")

# WikiText-103's training split as published (Merity et al. 2016): its tokens and the
# words of its vocabulary, for the benchmarks and models that work at its size where
# the corpus itself is not at hand
WIKITEXT_103_TRAIN_TOKENS = 103_227_021
WIKITEXT_103_VOCAB = 267_735

# The primary host refuses Python's default User-Agent (403), so we introduce
# ourselves as a browser.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

# Seconds to wait for the server to answer (and between two chunks of data), so a
# dead mirror makes us move on to the next one instead of hanging.
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Archive:
    """One WikiText zip: where to fetch it, its checksum, and what it holds.

    Introduced in chapter 2.

    Args:
        filename: the zip's file name, also its name in the data folder.
        urls: where to download it, tried in order until one works.
        sha256: the SHA-256 hash of the zip, pinned so a changed or corrupted file is
            refused.
        size: the size of the zip in bytes (for information).
        folder: the folder the zip extracts to.
        files: the file of each split inside ``folder``.
    """

    filename: str
    urls: tuple[str, ...]
    sha256: str
    size: int
    folder: str
    files: Mapping[str, str]


def _tokenized_files() -> dict[str, str]:
    return {split: f"wiki.{split}.tokens" for split in SPLITS}


def _raw_files() -> dict[str, str]:
    return {split: f"wiki.{split}.raw" for split in SPLITS}


_PRIMARY = "https://wikitext.smerity.com"

# The four official archives. Tests replace entries here to point at a local server.
ARCHIVES: dict[str, Archive] = {
    "wikitext-2": Archive(
        filename="wikitext-2-v1.zip",
        urls=(f"{_PRIMARY}/wikitext-2-v1.zip",),
        sha256="92675f1d63015c1c8b51f1656a52d5bdbc33aafa60cc47a218a66e7ee817488c",
        size=4_475_746,
        folder="wikitext-2",
        files=_tokenized_files(),
    ),
    "wikitext-2-raw": Archive(
        filename="wikitext-2-raw-v1.zip",
        urls=(
            f"{_PRIMARY}/wikitext-2-raw-v1.zip",
            # llama.cpp's CI keeps a copy of this one zip on Hugging Face; the
            # pinned hash makes sure it is the same file, whoever serves it.
            "https://huggingface.co/datasets/ggml-org/ci/resolve/main/wikitext-2-raw-v1.zip",
        ),
        sha256="ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11",
        size=4_721_645,
        folder="wikitext-2-raw",
        files=_raw_files(),
    ),
    "wikitext-103": Archive(
        filename="wikitext-103-v1.zip",
        urls=(f"{_PRIMARY}/wikitext-103-v1.zip",),
        sha256="242ba0f20b329cfdf1ccc61e9e9e5b59becf189db7f7a81cd2a0e2fc31539590",
        size=190_229_076,
        folder="wikitext-103",
        files=_tokenized_files(),
    ),
    "wikitext-103-raw": Archive(
        filename="wikitext-103-raw-v1.zip",
        urls=(f"{_PRIMARY}/wikitext-103-raw-v1.zip",),
        sha256="91c00ae287f0d699e18605c84afc9e45c192bc6b7797ff8837e5474655a33794",
        size=191_984_949,
        folder="wikitext-103-raw",
        files=_raw_files(),
    ),
}


class DownloadError(OSError):
    """No source could deliver an archive (network or HTTP errors)."""


class ChecksumError(DownloadError):
    """An archive arrived, but its SHA-256 hash is not the pinned one."""


def data_dir() -> Path:
    """The folder where the WikiText archives and their extracted copies live.

    Introduced in chapter 2.

    In order of preference: the folder named by the environment variable
    ``W2V_DATA_DIR``; the ``data/`` folder of the course's repository, when
    ``w2v_lib`` is used from a checkout of it; else ``~/.cache/w2v_lib``.

    ``W2V_DATA_DIR`` names the folder that holds the extracted corpora
    (``wikitext-2/``, ``wikitext-103/``, ...), or one extracted corpus folder itself,
    such as ``.../wikitext-2``; in that case its parent is the data folder.
    """
    from_env = os.environ.get("W2V_DATA_DIR", "").strip()
    if from_env:
        folder = Path(from_env).expanduser()
        # W2V_DATA_DIR may also name an extracted corpus folder itself (for example
        # .../wikitext-2): the data folder is then the one that holds it.
        for archive in ARCHIVES.values():
            if folder.name == archive.folder and any(
                    (folder / name).is_file() for name in archive.files.values()):
                return folder.parent
        return folder
    # A checkout of the repository has data/ next to w2v_lib/ (and pyproject.toml
    # beside both). An installed package sits in site-packages, which has neither.
    repo_root = Path(__file__).resolve().parent.parent
    if (repo_root / "data").is_dir() and (repo_root / "pyproject.toml").is_file():
        return repo_root / "data"
    return Path.home() / ".cache" / "w2v_lib"


def _archive(name: str) -> Archive:
    if name not in ARCHIVES:
        raise ValueError(
            f"Unknown WikiText corpus {name!r}. Valid names: {', '.join(ARCHIVES)}."
        )
    return ARCHIVES[name]


def _check_split(archive: Archive, name: str, split: str) -> str:
    if split not in archive.files:
        raise ValueError(
            f"Unknown split {split!r} for {name}. "
            f"Valid splits: {', '.join(archive.files)}."
        )
    return archive.files[split]


def wikitext_path(
    name: str = "wikitext-2", split: str = "train", download: bool = True
) -> Path:
    """The path of one split of a WikiText corpus, downloading it first if needed.

    Introduced in chapter 2.

    Args:
        name: one of ``"wikitext-2"``, ``"wikitext-2-raw"``, ``"wikitext-103"``,
            ``"wikitext-103-raw"``.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        download: if the file is not in :func:`data_dir` yet, download the archive
            (checked against its pinned hash) and extract it. With ``False``, a missing
            file is an error instead.

    A file that is already there is used as it is, without any check: that is how an
    extracted copy made elsewhere stands in for the download.
    """
    archive = _archive(name)
    filename = _check_split(archive, name, split)
    root = data_dir()
    target = root / archive.folder / filename
    if target.is_file():
        return target

    if not download:
        raise FileNotFoundError(
            f"{name} ({split} split) is not there: looked for {target}. Either set the "
            f"environment variable W2V_DATA_DIR to a folder that holds an extracted "
            f"{archive.folder}/ folder, or call with download=True to fetch it "
            f"({archive.size / 1e6:.0f} MB)."
        )

    if (root / archive.folder).exists():
        # We only ever put a folder in place once it is complete, so a folder without
        # the file was made by someone else; better not to mix files into it.
        raise FileExistsError(
            f"{root / archive.folder} exists but holds no {filename}. Move that folder "
            f"away (or put {filename} in it) and try again."
        )
    _make_writable_dir(root)
    try:
        zip_path = _download(archive, root)
    except DownloadError as error:
        # say where we looked and what we expected there, not only what failed
        raise type(error)(f"{_not_found(archive, name, target)}\n{error}") from None
    _extract(zip_path, archive, root)
    return target


def _not_found(archive: Archive, name: str, target: Path) -> str:
    root = target.parent.parent
    source = ("W2V_DATA_DIR" if os.environ.get("W2V_DATA_DIR", "").strip()
              else "the default data folder; set W2V_DATA_DIR to use another")
    files = ", ".join(archive.files.values())
    return (
        f"{name} is not in the data folder, and downloading it failed.\n"
        f"Looked for {target} (data folder {root}, from {source}).\n"
        f"Expected layout: <data folder>/{archive.folder}/ holding {files}, as "
        f"{archive.filename} extracts.\n"
        f"Two ways out: run again with a working internet connection (the "
        f"{archive.size / 1e6:.1f} MB archive is downloaded and checked against its "
        f"pinned SHA-256), or set W2V_DATA_DIR to a folder that holds an extracted "
        f"{archive.folder}/ folder (or to that {archive.folder}/ folder itself)."
    )


def _make_writable_dir(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PermissionError(
            f"Cannot create the data folder {root} ({error}). Set the environment "
            "variable W2V_DATA_DIR to a folder you can write to."
        ) from error
    if not os.access(root, os.W_OK):
        raise PermissionError(
            f"Cannot download into {root}: the folder is not writable. Set the "
            "environment variable W2V_DATA_DIR to a folder you can write to."
        )


class _HashRecorder:
    """A pooch downloader that remembers the hash of what it received, so that a
    checksum error can say what arrived, not only what was expected."""

    def __init__(self) -> None:
        import pooch

        self.http = pooch.HTTPDownloader(
            progressbar=True, headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT_S
        )
        self.received_sha256: str | None = None

    def __call__(self, url: str, output_file: str, pooch_instance: object) -> None:
        self.received_sha256 = None
        self.http(url, output_file, pooch_instance)
        self.received_sha256 = _sha256(Path(output_file))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(archive: Archive, root: Path) -> Path:
    """Fetch ``archive`` into ``root`` from the first source that delivers the right
    bytes, and return the path of the verified zip."""
    # imported here, not at the top: pooch pulls in tqdm.auto, which warns in a
    # notebook without ipywidgets, and reading an extracted copy needs neither
    import pooch
    import requests

    failures: list[str] = []
    mismatch: str | None = None
    for url in archive.urls:
        recorder = _HashRecorder()
        try:
            # pooch streams into a temporary file in ``root``, checks its hash, and
            # only then renames it to its final name; on any failure the temporary
            # file is deleted. So the zip's name never points at a partial or wrong
            # file. A zip already there with the right hash is not downloaded again.
            path = pooch.retrieve(
                url,
                known_hash=f"sha256:{archive.sha256}",
                fname=archive.filename,
                path=root,
                downloader=recorder,
            )
            return Path(path)
        except requests.exceptions.RequestException as error:
            # connection refused or dropped, timeout, 403/404/5xx: try the next source
            failures.append(f"{url}: {error}")
        except ValueError:
            if recorder.received_sha256 is None:
                raise  # not a hash mismatch: a bug, not a bad source
            mismatch = recorder.received_sha256
            failures.append(f"{url}: wrong SHA-256 {mismatch}")
        if url != archive.urls[-1]:
            logger.warning("Download failed (%s); trying the next source.", failures[-1])

    tried = "\n  ".join(failures)
    if mismatch is not None:
        raise ChecksumError(
            f"The downloaded {archive.filename} does not match its pinned checksum: "
            f"expected SHA-256 {archive.sha256}, got {mismatch}. The file was deleted. "
            "The transfer may have been corrupted or the server may serve a different "
            "file: try again later, or place an extracted copy in a folder and point "
            f"W2V_DATA_DIR at it.\nSources tried:\n  {tried}"
        )
    raise DownloadError(
        f"Could not download {archive.filename} from any source. Check your internet "
        "connection and try again, or place an extracted copy in a folder and point "
        f"W2V_DATA_DIR at it.\nSources tried:\n  {tried}"
    )


def _check_member(member: str, zip_path: Path) -> None:
    """Refuse a zip member whose path could make extraction write outside the target
    folder: an absolute path, a drive letter, or a ``..`` step."""
    parts = PurePosixPath(member.replace("\\", "/"))
    if parts.is_absolute() or PureWindowsPath(member).drive or ".." in parts.parts:
        raise ValueError(
            f"Refusing to extract {zip_path.name}: its member {member!r} would land "
            "outside the target folder, so nothing was extracted. An archive like this "
            f"is unsafe to use: delete {zip_path}."
        )


def _extract(zip_path: Path, archive: Archive, root: Path) -> None:
    """Extract ``archive.folder`` from ``zip_path`` into ``root``, all or nothing."""
    # Extract into a fresh temporary folder beside the destination, then move the
    # finished folder into place with one rename: a crash or a bad member halfway
    # through leaves no half-extracted folder under the real name.
    staging = Path(tempfile.mkdtemp(prefix=f".{archive.folder}-", dir=root))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            # check every member before writing a single byte
            for member in zf.namelist():
                _check_member(member, zip_path)
            zf.extractall(staging)
        extracted = staging / archive.folder
        missing = [f for f in archive.files.values() if not (extracted / f).is_file()]
        if missing:
            raise ValueError(
                f"{zip_path.name} does not hold {archive.folder}/{missing[0]} as "
                f"expected. Delete {zip_path} and download it again."
            )
        destination = root / archive.folder
        try:
            os.rename(extracted, destination)
        except OSError:
            # another process may have finished the same extraction first
            if not all((destination / f).is_file() for f in archive.files.values()):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _is_heading(line: str) -> bool:
    # WikiText marks section titles as " = Title = ", " = = Subtitle = = ", ...
    return line.startswith("=") and line.endswith("=")


def iter_paragraphs(
    path: str | os.PathLike[str], lowercase: bool = True
) -> Iterator[list[str]]:
    """Yield the paragraphs of a WikiText file, one list of tokens at a time.

    Introduced in chapter 2.

    WikiText holds one paragraph per line. Empty lines and section headings (lines
    like ``= = History = =``) are skipped; every other line is split on white space.
    The file is read line by line, so even WikiText-103 never sits in memory whole.

    In the tokenized forms punctuation is already split off and rare words are
    ``<unk>``, kept as it is. Hyphens, commas and points inside a word are split off
    as their own tokens ``@-@``, ``@,@`` and ``@.@`` ("state @-@ of @-@ the @-@ art",
    "1 @,@ 000"); we keep them as tokens. In the raw forms, punctuation stays glued
    to the words: pass each line through :func:`w2v_lib.tokenize` if you need them.
    """
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            text = line.strip()
            if not text or _is_heading(text):
                continue
            yield (text.lower() if lowercase else text).split()


def load_sentences(
    name: str = "wikitext-2",
    split: str = "train",
    max_tokens: int | None = None,
    lowercase: bool = True,
) -> list[list[str]]:
    """Read a WikiText split as a list of paragraphs, each a list of tokens.

    Introduced in chapter 2.

    Args:
        name: which corpus (see :func:`wikitext_path`); downloaded if needed.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        max_tokens: stop once this many tokens are collected (the last paragraph is
            cut short), without reading the rest of the file. ``None`` reads it all.
        lowercase: lowercase every token (``<unk>`` is already lowercase).

    One paragraph is one "sentence" for word2vec: context windows never cross from
    one paragraph into the next.
    """
    return list(ParagraphStream(name, split, max_tokens, lowercase))


class ParagraphStream:
    """The paragraphs of a WikiText split as an iterable that reads the file anew on
    every pass, for gensim's ``Word2Vec`` and for :func:`w2v_lib.corpus.encode_corpus`.

    Introduced in chapter 7. A list of lists of strings costs about 60 bytes per token
    (6 GB for WikiText-103); this holds one paragraph at a time. ``max_tokens`` stops
    each pass after that many tokens, as in :func:`load_sentences`.
    """

    def __init__(self, name: str = "wikitext-2", split: str = "train",
                 max_tokens: int | None = None, lowercase: bool = True) -> None:
        if max_tokens is not None and (isinstance(max_tokens, bool) or max_tokens < 1):
            raise ValueError(
                f"max_tokens must be a positive integer or None, got {max_tokens!r}."
            )
        self.path = wikitext_path(name, split)
        self.max_tokens, self.lowercase = max_tokens, lowercase

    def __iter__(self) -> Iterator[list[str]]:
        collected = 0
        with closing(iter_paragraphs(self.path, lowercase=self.lowercase)) as paragraphs:
            for tokens in paragraphs:
                if self.max_tokens is not None and collected + len(tokens) >= self.max_tokens:
                    yield tokens[: self.max_tokens - collected]
                    return
                yield tokens
                collected += len(tokens)
