"""WordVectors: files that gensim reads and writes, neighbours, analogies, errors."""

import zlib

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors

from w2v_lib.evaluation import analogy_accuracy, load_analogies, similarity_spearman
from w2v_lib.vectors import WordVectors


@pytest.fixture
def vectors():
    words = ["the", "king", "queen", "man", "woman", "paris", "france", "rome", "italy"]
    return WordVectors(words, torch.randn(len(words), 8, generator=torch.Generator().manual_seed(0)))


@pytest.mark.parametrize("binary", [False, True])
def test_save_then_gensim_loads_the_same_vectors_and_neighbours(vectors, tmp_path, binary):
    path = vectors.save(tmp_path / "vectors.bin", binary=binary)
    keyed = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert keyed.index_to_key == vectors.words
    assert np.allclose(keyed.vectors, vectors.vectors.numpy(), atol=1e-6 if not binary else 0)
    for word in ["king", "paris"]:
        ours = [w for w, _ in vectors.most_similar(word, topn=4)]
        theirs = [w for w, _ in keyed.most_similar(word, topn=4)]
        assert ours == theirs


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_save_then_we_load(vectors, tmp_path, binary):
    vectors.to_keyed_vectors().save_word2vec_format(str(tmp_path / "g"), binary=binary)
    back = WordVectors.load(tmp_path / "g", binary=binary)
    assert back.words == vectors.words and torch.allclose(back.vectors, vectors.vectors, atol=1e-6)


def test_unknown_word_names_it_and_suggests(vectors):
    with pytest.raises(KeyError, match="'kinng' is not among the 9 words.*Did you mean 'king'"):
        vectors.most_similar("kinng")
    with pytest.raises(KeyError, match="'quen'"):
        vectors.analogy("man", "king", "quen")


def test_analogy_excludes_the_query_words():
    # b - a + c = [0, 1, 1] is d; the query words never appear among the answers
    words = ["a", "b", "c", "d", "e"]
    matrix = torch.tensor([[1.0, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0, -1, 0]])
    vectors = WordVectors(words, matrix)
    answer = vectors.analogy("a", "b", "c", topn=1)[0][0]
    assert answer == "d"
    assert vectors.analogy("a", "b", "c", method="3cosmul")[0][0] == "d"
    for method in ["3cosadd", "3cosmul"]:
        assert [w for w, _ in vectors.analogy("a", "b", "c", method=method, topn=5)] == ["d", "e"]


# --- malformed files: the error names the line or the byte offset ---------------------


def test_text_file_with_a_short_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("2 3\nking 0.1 0.2 0.3\nqueen 0.1 0.2\n")
    with pytest.raises(ValueError, match=r"line 3: expected a word and 3 numbers, got 2 numbers after 'queen'"):
        WordVectors.load(path)


def test_text_file_shorter_than_its_header(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("3 2\nking 0.1 0.2\n")
    with pytest.raises(ValueError, match="ends after 1 of the 3 vectors"):
        WordVectors.load(path)


def test_text_file_with_a_bad_header_or_number(tmp_path):
    (tmp_path / "a").write_text("hello world\n")
    with pytest.raises(ValueError, match="line 1: expected a header"):
        WordVectors.load(tmp_path / "a")
    (tmp_path / "b").write_text("1 2\nking 0.1 x\n")
    with pytest.raises(ValueError, match="line 2: the vector of 'king' holds something that is not a number"):
        WordVectors.load(tmp_path / "b")


def test_truncated_binary_file_names_the_offset(vectors, tmp_path):
    path = vectors.save(tmp_path / "v.bin", binary=True)
    data = path.read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-20])
    with pytest.raises(ValueError, match=r"byte \d+: the vector of 'italy' \(word 9 of 9\) needs 32 bytes, but only 13 remain"):
        WordVectors.load(tmp_path / "cut.bin", binary=True)


def test_a_failed_save_leaves_no_file(vectors, tmp_path, monkeypatch):
    target = tmp_path / "vectors.txt"
    target.write_text("the old, complete file\n")

    def broken_repr(x):
        raise OSError("disk full")

    monkeypatch.setattr("builtins.repr", broken_repr)
    with pytest.raises(OSError, match="disk full"):
        vectors.save(target)
    monkeypatch.undo()
    assert target.read_text() == "the old, complete file\n"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.txt"]  # no temporary left


def test_words_that_the_format_cannot_hold(tmp_path):
    with pytest.raises(ValueError, match="holds white space"):
        WordVectors(["new york"], torch.zeros(1, 2)).save(tmp_path / "x")
    with pytest.raises(ValueError, match="appears twice"):
        WordVectors(["a", "a"], torch.zeros(2, 2))
    with pytest.raises(ValueError, match="one row per word"):
        WordVectors(["a", "b"], torch.zeros(3, 2))


# --- evaluation agrees with gensim ---------------------------------------------------


def structured_vectors(noise, seed=0):
    """Vectors for every word of the analogy set, built so that some analogies hold."""
    questions = load_analogies()
    words = sorted({w for q in questions for w in (q.a, q.b, q.c, q.d)})
    rng = torch.Generator().manual_seed(seed)
    base = torch.randn(len(words), 50, generator=rng)
    index = {w: i for i, w in enumerate(words)}
    # give each section a shared offset between the two columns of its questions
    for k, q in enumerate(questions[::7]):
        base[index[q.b]] = base[index[q.a]] + torch.randn(50, generator=torch.Generator().manual_seed(zlib.crc32(q.section.encode())))
    base += noise * torch.randn(base.shape, generator=rng)
    order = torch.randperm(len(words), generator=rng).tolist()  # a "frequency" order
    return WordVectors([words[i] for i in order], base[order])


@pytest.mark.parametrize("restrict", [30_000, 400])
def test_analogy_accuracy_equals_gensims(restrict):
    from gensim.test.utils import datapath

    vectors = structured_vectors(noise=0.5)
    ours = analogy_accuracy(vectors, restrict_vocab=restrict)
    score, sections = vectors.to_keyed_vectors().evaluate_word_analogies(
        datapath("questions-words.txt"), restrict_vocab=restrict, case_insensitive=True)
    gensim_scored = sum(len(s["correct"]) + len(s["incorrect"]) for s in sections[:-1])
    assert sum(ours.scored.values()) == gensim_scored > 0
    assert ours.accuracy == pytest.approx(score, abs=1e-12)
    assert 0 < ours.accuracy < 1  # the test data must not be trivially all right or all wrong
    for section in sections[:-1]:
        name = section["section"]
        assert ours.correct.get(name, 0) == len(section["correct"])


def test_similarity_spearman_equals_gensims():
    from gensim.test.utils import datapath

    vectors = structured_vectors(noise=0.5)
    for name in ["wordsim353.tsv", "simlex999.txt"]:
        rho, coverage = similarity_spearman(vectors, name)
        _, spearman, oov = vectors.to_keyed_vectors().evaluate_word_pairs(datapath(name))
        assert rho == pytest.approx(spearman.statistic, abs=1e-12)
        assert coverage == pytest.approx(1 - oov / 100)


def test_projector_export(vectors, tmp_path):
    vectors_path, metadata_path = vectors.export_projector(tmp_path / "projector", words=["king", "queen"])
    rows = vectors_path.read_text().splitlines()
    assert metadata_path.read_text().splitlines() == ["king", "queen"]
    assert len(rows) == 2 and len(rows[0].split("\t")) == vectors.dim
    assert np.allclose([float(x) for x in rows[1].split("\t")], vectors["queen"].numpy(), atol=1e-5)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_word_group_maps_draw(vectors, method):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from w2v_lib.plots import plot_word_groups

    fig, ax = plt.subplots()
    plot_word_groups(vectors, {"royal": ["king", "queen", "prince"], "places": ["paris", "rome", "france"]},
                     method=method, ax=ax)
    assert "prince" in ax.get_title()  # listed as missing
    assert len(ax.collections) == 2
    plt.close(fig)


def test_word_labels_on_a_crowded_map_do_not_overlap():
    import matplotlib.pyplot as plt

    from w2v_lib.plots import _area, place_labels

    # four dots almost on top of one another, as years crowd on a PCA map
    points = np.array([[0.0, 0.0], [0.001, 0.0], [0.0, 0.001], [0.001, 0.001], [1.0, 1.0]])
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.scatter(points[:, 0], points[:, 1])
    labels = place_labels(ax, points, ["2005", "2008", "2010", "2012", "far"])
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert all(_area(a, b) == 0 for i, a in enumerate(boxes) for b in boxes[i + 1:])
    plt.close(fig)


# --- queries: topn answers whenever that many candidates exist ------------------------


def brute_force_neighbours(vectors, query_vector, candidates, topn):
    """The reference: every candidate row's cosine, sorted, best first."""
    scored = []
    for i in candidates:
        row = vectors.vectors[i]
        cosine = float(row @ query_vector / (row.norm() * query_vector.norm()))
        scored.append((cosine, vectors.words[i]))
    scored.sort(key=lambda item: -item[0])
    return [word for _, word in scored[:topn]]


@pytest.mark.parametrize("seed", range(20))
def test_most_similar_agrees_with_brute_force(seed):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(12)]
    vectors = WordVectors(words, torch.tensor(rng.normal(size=(12, 4)), dtype=torch.float32))
    query = words[rng.integers(12)]
    restrict = None if seed % 3 == 0 else int(rng.integers(1, 14))
    exclude = list(rng.choice(words + ["unknown", "other"], size=int(rng.integers(0, 6))))
    topn = int(rng.integers(1, 15))
    size = 12 if restrict is None else min(restrict, 12)
    candidates = [i for i in range(size) if words[i] not in exclude and words[i] != query]
    expected = brute_force_neighbours(vectors, vectors[query], candidates, topn)
    got = vectors.most_similar(query, topn=topn, exclude=exclude, restrict=restrict)
    assert [w for w, _ in got] == expected, (query, restrict, exclude, topn)
    assert len(got) == min(topn, len(candidates))


def line_vectors():
    # five words; "d" (row 3) and "e" (row 4) lie outside restrict=2 or 3
    words = ["a", "b", "c", "d", "e"]
    matrix = torch.tensor([[1.0, 0.1], [0.9, 0.3], [0.2, 1.0], [1.0, 0.0], [0.0, 1.0]])
    return WordVectors(words, matrix)


def test_a_query_outside_the_candidate_rows_does_not_shrink_the_answer():
    vectors = line_vectors()
    assert [w for w, _ in vectors.most_similar("d", restrict=2)] == ["a", "b"]
    # excluded words outside the candidate rows are no candidates either way
    got = vectors.most_similar("a", restrict=3, exclude=["d", "e"], topn=5)
    assert [w for w, _ in got] == ["b", "c"]


def test_excluding_unknown_words_still_answers():
    vectors = line_vectors()
    got = vectors.most_similar("a", topn=2, exclude=["x", "y", "z", "w"])
    assert [w for w, _ in got] == ["d", "b"]


def test_analogy_with_restrict_answers_from_the_first_rows():
    vectors = line_vectors()
    # a : d :: c : ? among rows 0-1: "a" is a query word, so "b" is the only candidate
    assert [w for w, _ in vectors.analogy("a", "d", "c", restrict=2, topn=3)] == ["b"]
    assert [w for w, _ in vectors.analogy("c", "d", "e", restrict=2, topn=3)] == ["a", "b"]
    # every candidate is a query word: nothing to answer with
    assert vectors.analogy("a", "b", "c", restrict=2) == []


@pytest.mark.parametrize("kwargs, message", [
    ({"topn": -1}, "topn must be a whole number of at least 1, got -1"),
    ({"topn": 0}, "topn must be a whole number of at least 1, got 0"),
    ({"topn": 2.5}, "topn must be a whole number of at least 1, got 2.5"),
    ({"restrict": 0}, "restrict must be a whole number of at least 1, got 0"),
    ({"restrict": True}, "restrict must be a whole number of at least 1, got True"),
])
def test_impossible_requests_are_named(kwargs, message):
    vectors = line_vectors()
    with pytest.raises(ValueError, match=message):
        vectors.most_similar("a", **kwargs)
    with pytest.raises(ValueError, match=message):
        vectors.analogy("a", "b", "c", **kwargs)


def test_a_query_vector_of_the_wrong_size_or_a_string_exclude_is_refused():
    vectors = line_vectors()
    with pytest.raises(ValueError, match=r"shape \(2,\).*got \(3,\)"):
        vectors.most_similar(torch.ones(3))
    with pytest.raises(TypeError, match=r"exclude=\['b'\]"):
        vectors.most_similar("a", exclude="b")
    # numpy integers are whole numbers too
    assert len(vectors.most_similar("a", topn=np.int64(2), restrict=np.int64(5))) == 2


# --- loading: the whole file as its header says, or an error with the place ----------


@pytest.fixture
def saved(vectors, tmp_path):
    return vectors.save(tmp_path / "v.txt"), vectors.save(tmp_path / "v.bin", binary=True)


def test_a_text_file_read_as_binary_says_so(saved):
    text, _ = saved
    with pytest.raises(ValueError, match="this is a word2vec text file.*binary=False"):
        WordVectors.load(text, binary=True)


def test_a_binary_file_read_as_text_names_the_line_and_says_so(saved):
    _, binary = saved
    with pytest.raises(ValueError, match="line 2, byte .* is not valid UTF-8. If this is a "
                                         "binary word2vec file, load it with binary=True"):
        WordVectors.load(binary)


def with_header(path, header: bytes, tmp_path):
    data = path.read_bytes()
    changed = tmp_path / "changed"
    changed.write_bytes(header + data[data.index(b"\n"):])
    return changed


def test_a_binary_header_with_a_dimension_too_small_is_refused(saved, tmp_path):
    _, binary = saved  # 9 words of dimension 8
    with pytest.raises(ValueError, match=r"byte \d+: word 2 of 9, .* holds control "
                                         r"characters. The dimension in the header \(7\)"):
        WordVectors.load(with_header(binary, b"9 7", tmp_path), binary=True)


def test_a_binary_header_with_a_count_too_small_is_refused(saved, tmp_path):
    _, binary = saved
    with pytest.raises(ValueError, match=r"announces 8 vectors of 8 numbers, but \d+ more "
                                         "bytes follow"):
        WordVectors.load(with_header(binary, b"8 8", tmp_path), binary=True)


def test_a_text_file_longer_than_its_header_is_refused_but_blank_lines_pass(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("1 2\nking 1 2\nqueen 3 4\n")
    with pytest.raises(ValueError, match="line 3: the header announces 1 vectors, but the "
                                         "file goes on"):
        WordVectors.load(path)
    path.write_text("1 2\nking 1 2\n\n\n")
    assert WordVectors.load(path).words == ["king"]


def binary_with_words(words: list[bytes], dim: int = 2) -> bytes:
    data = [f"{len(words)} {dim}\n".encode()]
    for k, word in enumerate(words):
        data.append(word + b" " + np.full(dim, k, dtype="<f4").tobytes() + b"\n")
    return b"".join(data)


def test_invalid_utf8_in_a_binary_word_names_its_byte_and_can_be_replaced(tmp_path):
    data = binary_with_words([b"the", b"caf\xe9", b"king"])
    path = tmp_path / "v.bin"
    path.write_bytes(data)
    with pytest.raises(ValueError) as error:
        WordVectors.load(path, binary=True)
    offset = data.index(bytes([0xE9]))  # the bad byte itself
    assert f"byte {offset} (word 2 of 3): b'caf\\xe9' is not valid UTF-8" in str(error.value)
    assert "unicode_errors='replace'" in str(error.value)
    # what gensim reads with the same unicode_errors is the reference
    for errors in ["replace", "ignore"]:
        ours = WordVectors.load(path, binary=True, unicode_errors=errors)
        theirs = KeyedVectors.load_word2vec_format(str(path), binary=True, unicode_errors=errors)
        assert ours.words == theirs.index_to_key
        assert np.array_equal(ours.vectors.numpy(), theirs.vectors)


def test_invalid_utf8_in_a_text_word_names_its_line(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\nthe 1 2\ncaf\xe9 3 4\n")
    with pytest.raises(ValueError, match=r"line 3, byte 4: b'caf\\xe9 3 4\\n' is not valid "
                                         "UTF-8. To load it anyway, pass unicode_errors"):
        WordVectors.load(path)
    ours = WordVectors.load(path, unicode_errors="replace")
    theirs = KeyedVectors.load_word2vec_format(str(path), unicode_errors="replace")
    assert ours.words == theirs.index_to_key == ["the", "caf\ufffd"]
    with pytest.raises(ValueError, match="unicode_errors must be"):
        WordVectors.load(path, unicode_errors="loose")


def test_two_words_that_replacement_makes_equal_get_a_true_message(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(binary_with_words([b"caf\xe9", b"caf\xe8"]))
    with pytest.raises(ValueError, match=r"the word 'caf\ufffd' appears a second time \(first "
                                         r"at byte 4\): unicode_errors='replace' made two "
                                         "different byte strings into this one word"):
        WordVectors.load(path, binary=True, unicode_errors="replace")
    text = tmp_path / "v.txt"
    text.write_text("2 1\nking 1\nking 2\n")
    with pytest.raises(ValueError, match=r"line 3: the word 'king' appears a second time "
                                         r"\(first at line 2\)\. Every word"):
        WordVectors.load(text)


@pytest.mark.parametrize("binary", [False, True])
def test_a_huge_count_in_the_header_allocates_nothing_huge(tmp_path, binary):
    import tracemalloc

    path = tmp_path / "v"
    path.write_bytes(b"999999999999 300\n" + (b"the " + b"0 " * 299 + b"0\n" if not binary
                                               else b"the " + bytes(1200) + b"\n"))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="999999999999"):
            WordVectors.load(path, binary=binary)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000, f"{peak:,} bytes allocated for a 1 kB file"


@pytest.mark.parametrize("header, message", [
    ("0 2", "the header '0 2' announces 0 vectors, so the file holds nothing to load"),
    ("3 0", "the header '3 0' announces vectors of 0 numbers"),
    ("-1 2", "the header '-1 2' holds a negative number"),
    ("3 2 1", "expected a header '<count> <dim>'"),
])
def test_headers_that_announce_nothing_say_so(tmp_path, header, message):
    path = tmp_path / "v.txt"
    path.write_text(header + "\n")
    with pytest.raises(ValueError, match=f"line 1: {message}"):
        WordVectors.load(path)


# --- the projector: one word per metadata line ---------------------------------------


@pytest.mark.parametrize("word", ["new\nline", "tab\there", "carriage\rreturn", "",
                                  "line\u2028separator"])
def test_projector_refuses_a_word_that_is_not_one_line(tmp_path, word):
    vectors = WordVectors(["a", word, "b"], torch.ones(3, 2))
    with pytest.raises(ValueError, match="would not take exactly one line of metadata.tsv"):
        vectors.export_projector(tmp_path / "projector")
    assert not (tmp_path / "projector").exists()  # nothing written


def test_projector_files_have_one_line_per_word(vectors, tmp_path):
    vectors_path, metadata_path = vectors.export_projector(tmp_path)
    rows = vectors_path.read_text().split("\n")
    names = metadata_path.read_text().split("\n")
    assert len(rows) == len(names) == len(vectors) + 1  # and a final newline each
