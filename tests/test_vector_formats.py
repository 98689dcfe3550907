"""Reading vectors in every layout chapter 9 meets: word2vec text and binary, fastText's
.vec, GloVe without a header, gzip-compressed files, and only the first `limit` words;
each against gensim's KeyedVectors.load_word2vec_format on the same file."""

import gzip

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

from w2v_lib.vectors import WordVectors, load_glove, load_word2vec_format


def same(ours: WordVectors, keyed: KeyedVectors) -> bool:
    return ours.words == list(keyed.index_to_key) and np.array_equal(ours.vectors.numpy(),
                                                                     keyed.vectors)


@pytest.fixture
def vectors():
    words = ["the", "king", "queen", "café", "日本", "naïve", "x"]
    return WordVectors(words, torch.randn(len(words), 6, generator=torch.Generator().manual_seed(1)))


# --- gensim's own small files ---------------------------------------------------------

@pytest.mark.parametrize("limit", [None, 1, 10, 75, 76, 1000])
def test_glove_file_as_gensim_reads_it_with_no_header(limit):
    path = datapath("test_glove.txt")
    keyed = KeyedVectors.load_word2vec_format(path, no_header=True, limit=limit)
    assert same(load_glove(path, limit=limit), keyed)
    assert same(load_word2vec_format(path, no_header=True, limit=limit), keyed)


@pytest.mark.parametrize("name, binary", [("lee_fasttext.vec", False), ("crime-and-punishment.vec", False),
                                          ("high_precision.kv.txt", False),
                                          ("euclidean_vectors.bin", True), ("poincare_vectors.bin", True)])
@pytest.mark.parametrize("limit", [None, 3])
def test_gensims_test_files_as_gensim_reads_them(name, binary, limit):
    keyed = KeyedVectors.load_word2vec_format(datapath(name), binary=binary, limit=limit)
    assert same(load_word2vec_format(datapath(name), binary=binary, limit=limit), keyed)


def test_without_a_limit_the_same_as_the_existing_loader():
    path = datapath("lee_fasttext.vec")
    assert load_word2vec_format(path).words == WordVectors.load(path).words


# --- files the tests write ------------------------------------------------------------

@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("limit", [None, 1, 4, 7, 50])
def test_our_files_plain_or_gzip_with_limits(vectors, tmp_path, binary, compressed, limit):
    path = vectors.save(tmp_path / "v", binary=binary)
    if compressed:
        gz = tmp_path / "v.gz"
        gz.write_bytes(gzip.compress(path.read_bytes()))
        path = gz
    ours = load_word2vec_format(path, binary=binary, limit=limit)
    keyed = KeyedVectors.load_word2vec_format(str(path), binary=binary, limit=limit)
    assert same(ours, keyed)
    n = len(vectors) if limit is None else min(limit, len(vectors))
    assert ours.words == vectors.words[:n]


def test_binary_with_newlines_after_vectors_and_bytes_that_look_like_newlines(tmp_path):
    # a float whose bytes hold 0x0a and 0x20 must not confuse the reader
    matrix = np.array([[np.frombuffer(b"\n \n ", "<f4")[0], 1.0], [2.0, 3.0]], dtype="<f4")
    with_newlines = b"2 2\n" + b"".join(w + b" " + row.tobytes() + b"\n"
                                      for w, row in zip([b"a", b"b"], matrix))
    without = b"2 2\n" + b"".join(w + b" " + row.tobytes() for w, row in zip([b"a", b"b"], matrix))
    for data in (with_newlines, without):
        (tmp_path / "f.bin").write_bytes(data)
        loaded = load_word2vec_format(tmp_path / "f.bin", binary=True)
        assert loaded.words == ["a", "b"]
        assert np.array_equal(loaded.vectors.numpy(), matrix)


def test_a_limit_reads_only_what_it_needs(tmp_path):
    # a file whose tail is garbage: the first words still load, the whole file does not
    good = b"3 2\n" + b"a " + np.array([1, 2], "<f4").tobytes() + b"\n"
    (tmp_path / "f.bin").write_bytes(good + b"\xff" * 5)
    assert load_word2vec_format(tmp_path / "f.bin", binary=True, limit=1).words == ["a"]
    with pytest.raises(ValueError, match="truncated"):
        load_word2vec_format(tmp_path / "f.bin", binary=True)


def test_glove_lines_with_trailing_spaces_and_crlf(tmp_path):
    (tmp_path / "g.txt").write_bytes(b"the 1 2 \r\nof 3 4\r\n\nand 5 6")
    glove = load_glove(tmp_path / "g.txt")
    assert glove.words == ["the", "of", "and"]
    assert glove.vectors.tolist() == [[1, 2], [3, 4], [5, 6]]


# --- bad input: a clear error that names the place --------------------------------------

def test_glove_read_as_word2vec_says_no_header():
    with pytest.raises(ValueError, match=r"line 1: expected a header.*no_header=True"):
        load_word2vec_format(datapath("test_glove.txt"))


def test_word2vec_read_as_glove_says_so(tmp_path):
    with pytest.raises(ValueError, match="looks like a word2vec header.*load_word2vec_format"):
        load_glove(datapath("lee_fasttext.vec"))


def test_fasttext_model_read_as_word2vec_binary():
    with pytest.raises(ValueError, match="line 1: expected a header.*load_facebook_vectors"):
        load_word2vec_format(datapath("toy-model.bin"), binary=True)


def test_truncated_files(tmp_path):
    # gensim's pretrained.vec announces 3 vectors and holds 1
    with pytest.raises(ValueError, match=r"ends after 1 of the 3 vectors.*line 3"):
        load_word2vec_format(datapath("pretrained.vec"))
    (tmp_path / "t.bin").write_bytes(b"2 4\nab " + np.zeros(4, "<f4").tobytes() + b"cd " + b"\0" * 6)
    with pytest.raises(ValueError, match=r"byte 26: the vector of 'cd' \(word 2 of 2\) needs 16 "
                                         r"bytes, but only 6 remain"):
        load_word2vec_format(tmp_path / "t.bin", binary=True)
    (tmp_path / "u.bin").write_bytes(b"2 1\nab " + np.zeros(1, "<f4").tobytes())
    with pytest.raises(ValueError, match=r"ends after 1 of the 2 vectors"):
        load_word2vec_format(tmp_path / "u.bin", binary=True)


def test_text_file_as_binary_names_the_word_that_never_ends(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"1 2\n" + b"x" * 2000 + b" 1 2\n")
    with pytest.raises(ValueError, match="over 1,000 bytes.*binary=False"):
        load_word2vec_format(tmp_path / "t.txt", binary=True)


def test_glove_errors_name_the_line(tmp_path):
    (tmp_path / "g.txt").write_text("the 1 2\nof 3\n")
    with pytest.raises(ValueError, match=r"line 2: expected a word and 2 numbers, got 1"):
        load_glove(tmp_path / "g.txt")
    (tmp_path / "h.txt").write_text("the 1 2\nof 3 x\n")
    with pytest.raises(ValueError, match=r"line 2: the vector of 'of' holds something"):
        load_glove(tmp_path / "h.txt")
    (tmp_path / "e.txt").write_text("\n\n")
    with pytest.raises(ValueError, match="holds no vectors"):
        load_glove(tmp_path / "e.txt")


def test_invalid_utf8_is_an_error_unless_asked(tmp_path):
    (tmp_path / "g.txt").write_bytes(b"ok 1\nb\xffd 2\n")
    with pytest.raises(ValueError, match=r"line 2: not valid UTF-8.*unicode_errors='replace'"):
        load_glove(tmp_path / "g.txt")
    assert load_glove(tmp_path / "g.txt", unicode_errors="replace").words == ["ok", "b\ufffdd"]
    (tmp_path / "b.bin").write_bytes(b"1 1\nb\xffd " + np.ones(1, "<f4").tobytes())
    with pytest.raises(ValueError, match=r"byte 5: word 1 is not valid UTF-8"):
        load_word2vec_format(tmp_path / "b.bin", binary=True)


@pytest.mark.parametrize("limit", [0, -3, 2.5, True, "10"])
def test_bad_limits(limit):
    with pytest.raises(ValueError, match="limit must be a whole number"):
        load_word2vec_format(datapath("lee_fasttext.vec"), limit=limit)


def test_missing_file_and_binary_glove(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_glove(tmp_path / "nothing.txt")
    with pytest.raises(ValueError, match="no_header=True is for GloVe's text files"):
        load_word2vec_format(datapath("test_glove.txt"), binary=True, no_header=True)
