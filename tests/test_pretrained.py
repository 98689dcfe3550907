"""Pretrained vectors through gensim's downloader: the path it returns is read with the
right layout and a limit; without a network the error says so. The downloader itself
is replaced by a stand-in that serves files the test writes."""

import gzip

import numpy as np
import pytest
import torch

import gensim.downloader
from w2v_lib.pretrained import PRETRAINED, fetch_pretrained, load_pretrained
from w2v_lib.vectors import WordVectors


@pytest.fixture
def vectors():
    words = [f"w{i}" for i in range(30)]
    return WordVectors(words, torch.randn(30, 4, generator=torch.Generator().manual_seed(0)))


def serve(monkeypatch, path):
    asked = []

    def load(name, return_path=False):
        asked.append((name, return_path))
        return str(path)

    monkeypatch.setattr(gensim.downloader, "load", load)
    return asked


def gzipped(path):
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


def test_binary_googlenews_layout(monkeypatch, tmp_path, vectors):
    asked = serve(monkeypatch, gzipped(vectors.save(tmp_path / "news", binary=True)))
    loaded = load_pretrained("word2vec-google-news-300", limit=10)
    assert asked == [("word2vec-google-news-300", True)]
    assert loaded.words == vectors.words[:10]
    assert np.array_equal(loaded.vectors.numpy(), vectors.vectors[:10].numpy())


@pytest.mark.parametrize("header", [True, False])
def test_glove_with_or_without_a_header(monkeypatch, tmp_path, vectors, header):
    path = vectors.save(tmp_path / "glove.txt")
    if not header:  # the layout of Stanford's own files
        path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    serve(monkeypatch, gzipped(path))
    loaded = load_pretrained("glove-wiki-gigaword-100", limit=None)
    assert loaded.words == vectors.words
    assert torch.allclose(loaded.vectors, vectors.vectors, atol=1e-6)


def test_no_network_says_so(monkeypatch):
    def offline(name, return_path=False):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(gensim.downloader, "load", offline)
    with pytest.raises(ConnectionError, match="needs a network connection"):
        fetch_pretrained("glove-wiki-gigaword-300")


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown pretrained vectors 'glove'.*word2vec-google-news-300"):
        fetch_pretrained("glove")
    assert all(v.dim in (100, 300) for v in PRETRAINED.values())


# --- gensim's real downloader, against a catalogue and files served on 127.0.0.1 --------


@pytest.fixture
def gensim_data(monkeypatch, tmp_path):
    """gensim.downloader pointed at a local server and an empty folder; returns the
    server and a function that publishes a file under a name with its checksum."""
    from functools import partial

    from test_wikitext import Server

    server = Server()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setattr(gensim.downloader, "BASE_DIR", str(tmp_path / "gensim-data"))
    monkeypatch.setattr(gensim.downloader, "DOWNLOAD_BASE_URL", server.url("/releases"))
    # _load_info's url is a default argument, bound when gensim was imported
    monkeypatch.setattr(gensim.downloader, "_load_info",
                        partial(gensim.downloader._load_info, url=server.url("/list.json")))
    catalogue = {"corpora": {}, "models": {}}

    def publish(name, body, checksum=None):
        import hashlib
        import json

        catalogue["models"][name] = {"file_name": f"{name}.gz", "parts": 1,
                                     "checksum": checksum or hashlib.md5(body).hexdigest()}
        server.serve("/list.json", json.dumps(catalogue).encode())
        server.serve(f"/releases/{name}/__init__.py", b"")
        server.serve(f"/releases/{name}/{name}.gz", body)

    yield server, publish
    server.close()


def test_the_real_downloader_fetches_checks_and_reads(gensim_data, tmp_path, vectors):
    server, publish = gensim_data
    body = gzip.compress(vectors.save(tmp_path / "glove.txt").read_bytes())
    publish("glove-wiki-gigaword-100", body)
    loaded = load_pretrained("glove-wiki-gigaword-100", limit=5)
    assert loaded.words == vectors.words[:5]
    assert torch.allclose(loaded.vectors, vectors.vectors[:5], atol=1e-6)
    # a second call reads the copy on disk: the file is not downloaded again
    load_pretrained("glove-wiki-gigaword-100", limit=5)
    assert server.requests["/releases/glove-wiki-gigaword-100/glove-wiki-gigaword-100.gz"] == 1


def test_a_corrupt_download_is_refused_and_not_kept(gensim_data, tmp_path, vectors):
    _, publish = gensim_data
    publish("glove-wiki-gigaword-100", gzip.compress(b"1 1\nx 1.0\n"), checksum="0" * 32)
    with pytest.raises(ConnectionError, match="did not match the MD5 checksum"):
        fetch_pretrained("glove-wiki-gigaword-100")
    assert not (tmp_path / "gensim-data" / "glove-wiki-gigaword-100").exists()


def test_no_catalogue_and_no_network_says_so(gensim_data):
    server, _ = gensim_data
    server.close()  # nothing answers on that port any more
    with pytest.raises(ConnectionError, match="no network connection and no copy of it"):
        fetch_pretrained("glove-wiki-gigaword-300")
