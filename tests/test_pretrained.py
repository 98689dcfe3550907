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
