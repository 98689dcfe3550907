"""Tests of w2v_lib.wikitext: reading WikiText, and downloading it safely.

The download tests never touch the internet: they serve small zips, laid out like the
real archives, from an HTTP server on 127.0.0.1, and point the registry of archives
at it.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from w2v_lib import wikitext
from w2v_lib.wikitext import Archive, ChecksumError, DownloadError

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

SAMPLE = {
    "train": " = Valkyria Chronicles = \n\n The Game was made in 2011 . \n\n"
    " = = Gameplay = = \n\n A state @-@ of @-@ the @-@ art <unk> system . \n",
    "valid": " = Valid = \n\n Hello World . \n",
    "test": " = Test = \n\n Goodbye World . \n",
}


# ---------------------------------------------------------------- helpers


def make_zip(members: dict[str, str]) -> bytes:
    """A zip in memory holding ``members`` (name -> text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def wikitext2_zip(extra: dict[str, str] | None = None) -> bytes:
    """A tiny zip laid out like wikitext-2-v1.zip."""
    members = {f"wikitext-2/wiki.{split}.tokens": text for split, text in SAMPLE.items()}
    return make_zip({**members, **(extra or {})})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fake_archive(urls: tuple[str, ...], body: bytes, sha: str | None = None) -> Archive:
    return Archive(
        filename="wikitext-2-v1.zip",
        urls=urls,
        sha256=sha if sha is not None else sha256(body),
        size=len(body),
        folder="wikitext-2",
        files={split: f"wiki.{split}.tokens" for split in wikitext.SPLITS},
    )


class Server:
    """A tiny HTTP server on 127.0.0.1 that serves what each test tells it to.

    ``routes`` maps a path to ``(status, body, truncate)``: with ``truncate`` the
    server announces the whole body but sends only half of it, then hangs up.
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, bool]] = {}
        self.requests: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                server.requests[self.path] = server.requests.get(self.path, 0) + 1
                status, body, truncate = server.routes.get(self.path, (404, b"", False))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if truncate else body)
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass  # keep the test output quiet

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # a short poll interval so that shutdown() returns quickly
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, status: int = 200, truncate: bool = False) -> str:
        self.routes[path] = (status, body, truncate)
        return self.url(path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server():
    server = Server()
    yield server
    server.close()


@pytest.fixture
def data_root(tmp_path, monkeypatch) -> Path:
    """An empty data folder (not created yet), with short network timeouts."""
    root = tmp_path / "data"
    monkeypatch.setenv("W2V_DATA_DIR", str(root))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setattr(wikitext, "TIMEOUT_S", 5.0)
    return root


def use_archive(monkeypatch, archive: Archive) -> None:
    monkeypatch.setitem(wikitext.ARCHIVES, "wikitext-2", archive)


def contents(folder: Path) -> list[str]:
    """Everything under ``folder``, hidden files included, as sorted relative paths."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---------------------------------------------------------------- reading


def test_shared_copy_gives_exactly_max_tokens(monkeypatch):
    if not (SHARED_DATA / "wikitext-2" / "wiki.valid.tokens").is_file():
        pytest.skip("no shared copy of WikiText-2 beside this checkout")
    monkeypatch.setenv("W2V_DATA_DIR", str(SHARED_DATA))
    sentences = wikitext.load_sentences("wikitext-2", "valid", max_tokens=1000)
    assert sum(len(s) for s in sentences) == 1000
    assert all(sentences), "no empty sentences"
    assert all(t == t.lower() for s in sentences for t in s)
    assert not any(s[0].startswith("=") and s[-1].endswith("=") for s in sentences)
    # the valid split opens with the heading " = Homarus gammarus = ", which is skipped
    assert sentences[0][:2] == ["homarus", "gammarus"]


def write_local_copy(root: Path, train_text: str | bytes) -> Path:
    folder = root / "wikitext-2"
    folder.mkdir(parents=True)
    for split, text in SAMPLE.items():
        (folder / f"wiki.{split}.tokens").write_text(text, encoding="utf-8")
    path = folder / "wiki.train.tokens"
    if isinstance(train_text, bytes):
        path.write_bytes(train_text)
    else:
        path.write_text(train_text, encoding="utf-8")
    return path


def test_local_copy_is_used_and_parsed(data_root, server, monkeypatch):
    write_local_copy(data_root, SAMPLE["train"])
    # a source that would fail: the local copy must be used without asking it
    use_archive(monkeypatch, fake_archive((server.url("/never.zip"),), b"", sha="0" * 64))

    assert wikitext.load_sentences() == [
        ["the", "game", "was", "made", "in", "2011", "."],
        ["a", "state", "@-@", "of", "@-@", "the", "@-@", "art", "<unk>", "system", "."],
    ]
    assert wikitext.load_sentences(lowercase=False)[0][:2] == ["The", "Game"]
    assert server.requests == {}


def test_max_tokens_cuts_the_last_paragraph_and_stops_reading(data_root):
    # 8 tokens per line; then, some 180 kB further than max_tokens needs (far beyond
    # any read-ahead buffer), bytes that are not UTF-8: reading them would raise
    # UnicodeDecodeError
    good = " = Title = \n" + " a b c d e f g h \n" * 10_000
    write_local_copy(data_root, good.encode() + b" \xff\xfe broken \n" + b"x\n" * 100_000)

    sentences = wikitext.load_sentences(max_tokens=20)
    assert [len(s) for s in sentences] == [8, 8, 4]
    assert sentences[-1] == ["a", "b", "c", "d"]
    assert [len(s) for s in wikitext.load_sentences(max_tokens=16)] == [8, 8]


def test_bad_arguments_list_the_valid_ones():
    with pytest.raises(ValueError, match="wikitext-2-raw.*wikitext-103.*wikitext-103-raw"):
        wikitext.wikitext_path("wikitext-3")
    with pytest.raises(ValueError, match="train, valid, test"):
        wikitext.wikitext_path("wikitext-2", "validation")
    with pytest.raises(ValueError, match="train, valid, test"):
        wikitext.load_sentences("wikitext-103", "dev")
    with pytest.raises(ValueError, match="max_tokens"):
        wikitext.load_sentences(max_tokens=0)


def test_data_dir_prefers_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path))
    assert wikitext.data_dir() == tmp_path
    monkeypatch.delenv("W2V_DATA_DIR")
    repo_data = Path(wikitext.__file__).resolve().parents[1] / "data"
    expected = repo_data if repo_data.is_dir() else Path.home() / ".cache" / "w2v_lib"
    assert wikitext.data_dir() == expected


# ---------------------------------------------------------------- downloading


def test_download_extracts_once(data_root, server, monkeypatch):
    body = wikitext2_zip()
    use_archive(monkeypatch, fake_archive((server.serve("/wt2.zip", body),), body))

    path = wikitext.wikitext_path("wikitext-2", "valid")
    assert path == data_root / "wikitext-2" / "wiki.valid.tokens"
    assert path.read_text(encoding="utf-8") == SAMPLE["valid"]
    assert wikitext.load_sentences("wikitext-2", "test") == [["goodbye", "world", "."]]
    assert server.requests == {"/wt2.zip": 1}
    # the verified zip and the extracted folder, and no temporary leftovers
    assert contents(data_root) == [
        "wikitext-2",
        "wikitext-2-v1.zip",
        "wikitext-2/wiki.test.tokens",
        "wikitext-2/wiki.train.tokens",
        "wikitext-2/wiki.valid.tokens",
    ]
    # with the verified zip still there, a lost folder is extracted again, not fetched
    shutil.rmtree(data_root / "wikitext-2")
    assert wikitext.wikitext_path("wikitext-2", "train").is_file()
    assert server.requests == {"/wt2.zip": 1}


def test_checksum_mismatch_leaves_nothing(data_root, server, monkeypatch):
    body = wikitext2_zip()
    expected = sha256(b"some other file")
    use_archive(monkeypatch, fake_archive((server.serve("/wt2.zip", body),), body, expected))

    with pytest.raises(ChecksumError) as error:
        wikitext.wikitext_path("wikitext-2", "train")
    message = str(error.value)
    assert "wikitext-2-v1.zip" in message
    assert expected in message and sha256(body) in message
    assert "W2V_DATA_DIR" in message
    assert contents(data_root) == []


def test_broken_transfer_leaves_nothing(data_root, server, monkeypatch):
    body = wikitext2_zip()
    url = server.serve("/wt2.zip", body, truncate=True)
    use_archive(monkeypatch, fake_archive((url,), body))

    # depending on the HTTP stack, the short body shows as a broken connection or,
    # if it slips through, as a wrong checksum; either way it must be an error
    with pytest.raises(DownloadError, match="wikitext-2-v1.zip"):
        wikitext.wikitext_path("wikitext-2", "train")
    assert contents(data_root) == []


def test_failing_sources_fall_through_to_the_next(data_root, server, monkeypatch):
    body = wikitext2_zip()
    urls = (
        server.url("/missing.zip"),  # nothing there: 404
        server.serve("/forbidden.zip", b"go away", status=403),
        server.serve("/wt2.zip", body),
    )
    use_archive(monkeypatch, fake_archive(urls, body))

    path = wikitext.wikitext_path("wikitext-2", "train")
    assert path.read_text(encoding="utf-8") == SAMPLE["train"]
    assert server.requests == {"/missing.zip": 1, "/forbidden.zip": 1, "/wt2.zip": 1}


def test_all_sources_failing_names_each(data_root, server, monkeypatch):
    urls = (server.url("/a.zip"), server.url("/b.zip"))
    use_archive(monkeypatch, fake_archive(urls, b"", sha="0" * 64))
    with pytest.raises(DownloadError, match=r"(?s)/a\.zip.*404.*/b\.zip.*404"):
        wikitext.wikitext_path()
    assert contents(data_root) == []


def test_member_leaving_the_folder_is_refused(data_root, server, monkeypatch, tmp_path):
    body = wikitext2_zip(extra={"../evil.txt": "gotcha"})
    use_archive(monkeypatch, fake_archive((server.serve("/wt2.zip", body),), body))

    with pytest.raises(ValueError, match=r"Refusing.*\.\./evil\.txt"):
        wikitext.wikitext_path("wikitext-2", "train")
    assert not (tmp_path / "evil.txt").exists()
    assert not (data_root / "evil.txt").exists()
    # the zip itself is there (it matched its hash), but nothing was extracted
    assert contents(data_root) == ["wikitext-2-v1.zip"]


@pytest.mark.parametrize("member", ["/etc/evil", "C:/evil", "a/../../evil", "..\\evil"])
def test_unsafe_member_names_are_refused(member):
    with pytest.raises(ValueError, match="Refusing"):
        wikitext._check_member(member, Path("archive.zip"))


def test_archive_without_the_expected_files_is_refused(data_root, server, monkeypatch):
    body = make_zip({"elsewhere/wiki.train.tokens": "hello\n"})
    use_archive(monkeypatch, fake_archive((server.serve("/wt2.zip", body),), body))

    with pytest.raises(ValueError, match="does not hold wikitext-2/wiki.train.tokens"):
        wikitext.wikitext_path("wikitext-2", "train")
    assert contents(data_root) == ["wikitext-2-v1.zip"]


def test_no_download_allowed_says_how_to_fix(data_root, server, monkeypatch):
    use_archive(monkeypatch, fake_archive((server.url("/wt2.zip"),), b"", sha="0" * 64))
    with pytest.raises(FileNotFoundError, match="W2V_DATA_DIR") as error:
        wikitext.wikitext_path("wikitext-2", "valid", download=False)
    assert str(data_root / "wikitext-2" / "wiki.valid.tokens") in str(error.value)
    assert "download=True" in str(error.value)
    assert server.requests == {}
    assert not data_root.exists()
