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
