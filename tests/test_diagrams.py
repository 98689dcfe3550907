"""The idea figures: each draws without a warning at the book's width, in the palette's
colours, and shows the library's own numbers (pairs, probabilities, kept tokens)."""

import io
import math
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import w2v_lib  # noqa: E402
from w2v_lib import diagrams  # noqa: E402
from w2v_lib.cbow import CBOW  # noqa: E402
from w2v_lib.diagrams import FOX, PALETTE, WIDTH  # noqa: E402
from w2v_lib.negative_sampling import negative_sampling_loss  # noqa: E402
from w2v_lib.skipgram import SkipGram  # noqa: E402
from w2v_lib.subsampling import keep_probabilities, subsample  # noqa: E402
from w2v_lib.vocab import Vocab  # noqa: E402
from w2v_lib.windows import skipgram_pairs  # noqa: E402

WORDS = list(dict.fromkeys(FOX))   # the, quick, brown, fox, jumps, over, lazy, dog

# a vocabulary with a few very frequent words, as in any real corpus
COUNTS = {"the": 60_000, ",": 50_000, ".": 40_000, "of": 30_000, "in": 20_000, "king": 300,
          "rules": 120, "kingdom": 90, "castle": 80, "from": 5_000, "a": 25_000, "hill": 40}
STRIP = ["the", "king", "rules", "the", "kingdom", "from", "a", "castle", "in", "the", "hill", "."]


def strip_vocab():
    return Vocab(COUNTS, unk=None)


def figures():
    """Every figure function with the arguments of a typical call."""
    return {
        "skipgram_network": (diagrams.skipgram_network, {}),
        "cbow_network": (diagrams.cbow_network, {}),
        "sliding_window": (diagrams.sliding_window, {}),
        "two_tables": (diagrams.two_tables, {}),
        "two_tables_noise": (diagrams.two_tables, {"noise": ["over", "lazy", "dog"]}),
        "negative_sampling_question": (diagrams.negative_sampling_question, {}),
        "subsampling_strip": (diagrams.subsampling_strip,
                              {"tokens": STRIP, "vocab": strip_vocab()}),
        "data_parallel_schemes": (diagrams.data_parallel_schemes, {}),
    }


# the height of each figure for the call above: the layout's fixed part plus its rows
HEIGHTS = {
    "skipgram_network": 1.75 + 8 * 0.25,
    "cbow_network": 1.75 + 8 * 0.25,
    "sliding_window": 1.65 + 9 * 0.3,
    "two_tables": 1.85 + 8 * 0.27,
    "two_tables_noise": 1.85 + 8 * 0.27,
    "negative_sampling_question": 1.95 + 4 * 0.38,
    "subsampling_strip": 3.25,
    "data_parallel_schemes": 1.85 + 12 * 0.22,
}

# the roles each figure must show in the palette's full colours
ROLES = {
    "skipgram_network": {"input", "output", "window", "muted"},
    "cbow_network": {"input", "output", "window", "muted"},
    "sliding_window": {"window"},
    "two_tables": {"input", "output", "muted"},
    "two_tables_noise": {"input", "output", "noise", "muted"},
    "negative_sampling_question": {"input", "output", "noise", "window"},
    "subsampling_strip": {"window", "muted"},
    "data_parallel_schemes": {"input", "muted"},
}

CHAPTERS = {"skipgram_network": 2, "sliding_window": 2, "two_tables": 2, "cbow_network": 3,
            "negative_sampling_question": 4, "subsampling_strip": 5}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def draw(function, render=False, **kwargs):
    """Draw a figure, and render it if asked, turning every warning into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = function(**kwargs)
        png = png_bytes(fig) if render else None
    return fig, png


def png_bytes(fig):
    # as the notebooks show a figure: 100 dpi, cropped to what is drawn
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def shows(shown, values):
    """Whether each shown number is its value printed with two decimals. The figures
    compute in float64 and the reference may be float32, so a value within 1e-6 of a
    rounding boundary may print either way: allow half a unit of the last digit."""
    shown = [float(text) for text in shown]
    return len(shown) == len(values) and all(
        abs(a - float(b)) <= 0.005 + 1e-6 for a, b in zip(shown, values))


def texts(fig, gid):
    return [t.get_text() for t in fig.axes[0].texts if t.get_gid() == gid]


def patches(fig, gid):
    return [p for p in fig.axes[0].patches if p.get_gid() == gid]


def hex_of(colour):
    r, g, b, _ = to_rgba(colour)
    return "#{:02X}{:02X}{:02X}".format(*(round(255 * c) for c in (r, g, b)))


def role_of(colour):
    """The palette role a colour is, or is a lighter tint of; None for white."""
    r, g, b, alpha = to_rgba(colour)
    if alpha == 0 or min(r, g, b) > 0.999:
        return None
    for role in ("input", "output", "noise", "window", "muted", "faint", "ink"):
        base = to_rgba(getattr(PALETTE, role))[:3]
        # colour = white + share * (base - white), the same share on every channel
        channel = max(range(3), key=lambda i: 1 - base[i])
        share = (1 - (r, g, b)[channel]) / (1 - base[channel])
        if all(abs((1 - share + share * base[i]) - (r, g, b)[i]) < 1.5 / 255 for i in range(3)):
            return role if share > 0.995 else f"{role} tint"
    return "foreign"


def colours(fig):
    found = []
    for artist in fig.findobj(lambda a: isinstance(a, (Patch, Line2D, Text))):
        if isinstance(artist, Patch):
            found += [artist.get_facecolor(), artist.get_edgecolor()]
        elif isinstance(artist, Line2D):
            found.append(artist.get_color())
        else:
            found.append(artist.get_color())
    return found


# --- every figure ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(figures()))
def test_draws_at_the_books_width_without_warnings(name):
    function, kwargs = figures()[name]
    fig, png = draw(function, render=True, **kwargs)
    assert isinstance(fig, Figure)
    width, height = fig.get_size_inches()
    assert width == WIDTH and height == pytest.approx(HEIGHTS[name])
    # 100 dpi, cropped: at most the book's column of 720 px, so never scaled down
    image = plt.imread(io.BytesIO(png))
    assert image.shape[1] <= 720
    # nothing spills out of the figure
    box = fig.get_tightbbox()
    assert box.x0 >= -0.01 and box.x1 <= width + 0.01
    assert box.y0 >= -0.01 and box.y1 <= height + 0.01
    # no text smaller than 10 points (13.9 px at 100 dpi; about 13 px in the book)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text()]
    assert sizes and min(sizes) >= 10


@pytest.mark.parametrize("name", list(figures()))
def test_uses_the_palette_and_nothing_else(name):
    function, kwargs = figures()[name]
    fig, _ = draw(function, **kwargs)
    roles = [role_of(c) for c in colours(fig)]
    foreign = [hex_of(c) for c, r in zip(colours(fig), roles) if r == "foreign"]
    assert not foreign, foreign
    assert ROLES[name] <= set(roles)


@pytest.mark.parametrize("name", list(figures()))
def test_deterministic_and_leaves_the_global_generator_alone(name):
    function, kwargs = figures()[name]
    torch.manual_seed(123)
    state = torch.get_rng_state()
    _, first = draw(function, render=True, **kwargs)
    assert torch.equal(torch.get_rng_state(), state)
    _, second = draw(function, render=True, **kwargs)
    assert first == second


def test_role_of_tells_palette_tints_from_other_colours():
    assert role_of(PALETTE.input) == "input"
    assert role_of(diagrams._tint(PALETTE.output, 0.35)) == "output tint"
    assert role_of("white") is None
    assert role_of("#FF0000") == "foreign"
    assert role_of("#1F77B4") == "foreign"   # matplotlib's default blue is not ours


def test_palette_roles_are_distinct_colours():
    values = [getattr(PALETTE, role) for role in ("input", "output", "noise", "window", "muted")]
    assert len({v.lower() for v in values}) == len(values)
    with pytest.raises(AttributeError):
        PALETTE.input = "#000000"


@pytest.mark.parametrize("name, chapter", CHAPTERS.items())
def test_docstring_names_the_chapter(name, chapter):
    assert f"Introduced in chapter {chapter}" in getattr(diagrams, name).__doc__


def test_module_is_listed_in_the_package_docstring():
    assert "``diagrams``" in w2v_lib.__doc__


# --- the networks ----------------------------------------------------------------


def tables(V, d, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(V, d, generator=generator), torch.randn(V, d, generator=generator)


def probabilities(fig):
    """The softmax column as {word: text}."""
    return dict(reversed(t.split(" ")) for t in texts(fig, "probability"))


def test_skipgram_network_shows_the_models_forward_pass():
    w_in, w_out = tables(len(WORDS), 3, seed=1)
    fig, _ = draw(diagrams.skipgram_network, center="jumps", context="over", w_in=w_in, w_out=w_out)
    model = SkipGram(len(WORDS), 3)
    with torch.no_grad():
        model.w_in.weight.copy_(w_in)
        model.w_out.weight.copy_(w_out)
        scores = model(torch.tensor([WORDS.index("jumps")]))[0]
        loss = model.loss(torch.tensor([WORDS.index("jumps")]), torch.tensor([WORDS.index("over")]))
    probs = torch.softmax(scores, 0)
    assert list(probabilities(fig)) == WORDS
    assert shows(probabilities(fig).values(), probs)
    assert shows(texts(fig, "score"), scores)
    assert shows([texts(fig, "loss")[0].split("= ")[-1]], [loss])
    # the one-hot column: 1 in the center's row, 0 elsewhere
    assert texts(fig, "input") == ["1" if w == "jumps" else "0" for w in WORDS]


def test_skipgram_network_colours_the_rows_it_uses():
    fig, _ = draw(diagrams.skipgram_network, center="brown", context="fox", dim=3)
    w_in = [hex_of(p.get_facecolor()) for p in patches(fig, "w_in")]
    w_out = [hex_of(p.get_facecolor()) for p in patches(fig, "w_out")]
    assert w_in == [PALETTE.input if w == "brown" else PALETTE.muted
                    for w in WORDS for _ in range(3)]
    assert [role_of(c) for c in w_out] == [
        "output" if w == "fox" else "output tint" for w in WORDS for _ in range(3)]
    assert len(patches(fig, "hidden")) == 3


def test_skipgram_network_draws_its_tables_from_the_seed():
    first, _ = draw(diagrams.skipgram_network, seed=0)
    again, _ = draw(diagrams.skipgram_network, seed=0)
    other, _ = draw(diagrams.skipgram_network, seed=1)
    assert probabilities(first) == probabilities(again)
    assert probabilities(first) != probabilities(other)
    fig, _ = draw(diagrams.skipgram_network, words=["a", "b", "c", "d", "e"], center="a",
                  context="b", dim=2)
    assert fig.get_size_inches()[1] == pytest.approx(1.75 + 5 * 0.25)
    assert len(patches(fig, "w_in")) == 5 * 2


def test_cbow_network_shows_the_models_forward_pass():
    w_in, w_out = tables(len(WORDS), 4, seed=2)
    contexts = ["the", "quick", "fox", "jumps"]
    fig, _ = draw(diagrams.cbow_network, contexts=contexts, center="brown", w_in=w_in, w_out=w_out)
    model = CBOW(len(WORDS), 4)
    with torch.no_grad():
        model.w_in.weight.copy_(w_in)
        model.w_out.weight.copy_(w_out)
        ids = torch.tensor([[WORDS.index(w) for w in contexts]])
        mask = torch.ones_like(ids, dtype=torch.bool)
        scores = model(ids, mask)[0]
        loss = model.loss(ids, mask, torch.tensor([WORDS.index("brown")]))
    probs = torch.softmax(scores, 0)
    assert list(probabilities(fig)) == WORDS
    assert shows(probabilities(fig).values(), probs)
    assert shows([texts(fig, "loss")[0].split("= ")[-1]], [loss])
    assert texts(fig, "input") == ["1/4" if w in contexts else "0" for w in WORDS]
    assert [hex_of(p.get_facecolor()) for p in patches(fig, "w_in")][::4] == [
        PALETTE.input if w in contexts else PALETTE.muted for w in WORDS]


def test_cbow_network_counts_a_repeated_context_word_twice():
    # the window of "over" with m = 2 holds "the" once; here "the" is given twice
    w_in, w_out = tables(len(WORDS), 2, seed=3)
    contexts = ["the", "jumps", "the"]
    fig, _ = draw(diagrams.cbow_network, contexts=contexts, center="over", w_in=w_in, w_out=w_out)
    assert texts(fig, "input") == [{"the": "2/3", "jumps": "1/3"}.get(w, "0") for w in WORDS]
    hidden = (2 * w_in[0] + w_in[WORDS.index("jumps")]) / 3
    probs = torch.softmax(w_out @ hidden, 0)
    assert shows(probabilities(fig).values(), probs)


# --- the sliding window ----------------------------------------------------------


def shown_pairs(fig):
    """The pairs the right-hand column lists, as (center, context) words."""
    pairs = []
    for line in texts(fig, "pairs"):
        center, contexts = line.split(" → ")
        pairs += [(center, context) for context in contexts.split(", ")]
    return pairs


@pytest.mark.parametrize("window", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_sliding_window_pairs_are_the_librarys(window, seed):
    sentence = ["a", "cat", "sat", "on", "a", "mat", "near", "a", "dog"]
    fig, _ = draw(diagrams.sliding_window, sentence=sentence, window=window, seed=seed)
    index = {w: i for i, w in enumerate(dict.fromkeys(sentence))}
    words = list(index)
    ids = torch.tensor([index[w] for w in sentence])
    centers, contexts = skipgram_pairs(ids, window, reduced=True,
                                       generator=torch.Generator().manual_seed(seed))
    expected = [(words[c], words[o]) for c, o in zip(centers.tolist(), contexts.tolist())]
    assert shown_pairs(fig) == expected
    # the boxes say the same: one center per row, one filled box per pair, and a
    # dashed box for every pair the full window has and this draw left out
    full = len(skipgram_pairs(ids, window)[0])
    assert len(patches(fig, "center")) == len(sentence)
    assert len(patches(fig, "context")) == len(expected)
    assert len(patches(fig, "left out")) == full - len(expected)
    # and each row's contexts are the words within its b
    sizes = [int(t.split(" = ")[1]) for t in texts(fig, "b")]
    assert len(sizes) == len(sentence) and all(1 <= b <= window for b in sizes)
    for t, (b, line) in enumerate(zip(sizes, texts(fig, "pairs"))):
        within = [sentence[j] for j in range(len(sentence)) if 0 < abs(j - t) <= b]
        assert line == f"{sentence[t]} → " + ", ".join(within)


def test_sliding_window_full_window_gives_every_pair():
    fig, _ = draw(diagrams.sliding_window, sentence=FOX, window=2, reduced=False)
    brute = [(FOX[t], FOX[j]) for t in range(len(FOX)) for j in range(len(FOX))
             if j != t and abs(j - t) <= 2]
    assert shown_pairs(fig) == brute
    assert texts(fig, "b") == [] and patches(fig, "left out") == []


def test_sliding_window_seed_changes_the_draw():
    first, _ = draw(diagrams.sliding_window, window=2, seed=0)
    other, _ = draw(diagrams.sliding_window, window=2, seed=3)
    assert texts(first, "b") != texts(other, "b")


# --- the two tables --------------------------------------------------------------


def row_colours(fig, table):
    return {w: {hex_of(p.get_facecolor()) for p in patches(fig, f"{table} {w}")} for w in WORDS}


def test_two_tables_full_softmax_touches_every_output_row():
    fig, _ = draw(diagrams.two_tables, center="quick", context="jumps", dim=4)
    assert row_colours(fig, "w_in") == {w: {PALETTE.input if w == "quick" else PALETTE.muted}
                                         for w in WORDS}
    out = row_colours(fig, "w_out")
    assert out["jumps"] == {PALETTE.output}
    assert all(role_of(c) == "output tint" for w in WORDS if w != "jumps" for c in out[w])
    assert all(len(patches(fig, f"w_in {w}")) == 4 for w in WORDS)


def test_two_tables_negative_sampling_touches_context_and_noise_rows_only():
    noise = ["the", "lazy", "the"]       # a word may be drawn twice
    fig, _ = draw(diagrams.two_tables, center="quick", context="jumps", noise=noise)
    expected = {w: {PALETTE.output if w == "jumps" else PALETTE.noise if w in noise
                    else PALETTE.muted} for w in WORDS}
    assert row_colours(fig, "w_out") == expected
    assert "1 + 2 rows of w_out" in " ".join(t.get_text() for t in fig.axes[0].texts)


# --- negative sampling -----------------------------------------------------------


def test_negative_sampling_scores_and_loss_are_the_librarys():
    w_in, w_out = tables(len(WORDS), 5, seed=4)
    noise = ["over", "dog", "over", "the"]
    fig, _ = draw(diagrams.negative_sampling_question, center="brown", context="fox", noise=noise,
                  w_in=w_in, w_out=w_out)
    v_c = w_in[WORDS.index("brown")]
    rows = [WORDS.index(w) for w in ["fox", *noise]]
    assert shows(texts(fig, "score"), [torch.sigmoid(w_out[r] @ v_c) for r in rows])
    assert texts(fig, "label") == ["1", "0", "0", "0", "0"]
    assert texts(fig, "word") == ["fox (real)"] + [f"{w} (noise)" for w in noise]
    loss = negative_sampling_loss(v_c[None], w_out[rows[0]][None], w_out[rows[1:]][None])
    assert shows([texts(fig, "loss")[0].split("= ")[-1]], [loss])
    terms = [float(t) for t in texts(fig, "term")]
    # each term is rounded to two decimals
    assert sum(terms) == pytest.approx(float(loss), abs=0.005 * len(terms) + 1e-6)


def test_negative_sampling_starts_with_every_score_at_one_half():
    fig, _ = draw(diagrams.negative_sampling_question, noise=["over", "lazy", "dog"])
    assert texts(fig, "score") == ["0.50"] * 4
    assert texts(fig, "term") == [f"{math.log(2):.2f}"] * 4
    assert texts(fig, "loss")[0].endswith(f"= {4 * math.log(2):.2f}")


def test_negative_sampling_takes_a_large_vocabulary_and_any_dimension():
    words = [f"w{i}" for i in range(500)]
    w_in, w_out = tables(500, 50, seed=5)
    fig, _ = draw(diagrams.negative_sampling_question, words=words, center="w3", context="w10",
                  noise=["w0", "w1"], w_in=w_in, w_out=w_out)
    assert shows(texts(fig, "score")[:1], [torch.sigmoid(w_out[10] @ w_in[3])])
    # with a model's tables there is one note less under the title
    assert fig.get_size_inches()[1] == pytest.approx(1.75 + 3 * 0.38)


# --- subsampling -----------------------------------------------------------------


def kept_tokens(fig):
    return texts(fig, "after")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_subsampling_keeps_what_subsample_keeps(seed):
    vocab = strip_vocab()
    fig, _ = draw(diagrams.subsampling_strip, tokens=STRIP, vocab=vocab, seed=seed)
    ids = torch.tensor([vocab.index(t) for t in STRIP])
    mask = subsample(ids, keep_probabilities(vocab.counts), torch.Generator().manual_seed(seed))
    assert kept_tokens(fig) == [t for t, k in zip(STRIP, mask.tolist()) if k]
    assert texts(fig, "before") == STRIP
    probs = keep_probabilities(vocab.counts)[ids]
    assert texts(fig, "keep") == ["1" if p >= 1 else f"{float(p):.2f}" for p in probs]


def test_subsampling_follows_the_given_draws():
    vocab = strip_vocab()
    probs = keep_probabilities(vocab.counts, 1e-3)[[vocab.index(t) for t in STRIP]]
    # a draw just below a probability keeps, one at it drops (kept when r < P_keep)
    draws = [min(0.999, float(p)) if i % 2 else max(0.0, float(p) - 0.01)
             for i, p in enumerate(probs)]
    fig, _ = draw(diagrams.subsampling_strip, tokens=STRIP, vocab=vocab, draws=draws)
    expected = [t for t, r, p in zip(STRIP, draws, probs.tolist()) if r < p]
    assert kept_tokens(fig) == expected
    assert 0 < len(expected) < len(STRIP)
    assert texts(fig, "draw") == [f"{r:.2f}" for r in draws]


def test_subsampling_uses_the_chosen_formula_and_threshold():
    vocab = strip_vocab()
    fig, _ = draw(diagrams.subsampling_strip, tokens=STRIP, vocab=vocab, threshold=1e-2,
                  formula="paper")
    probs = keep_probabilities(vocab.counts, 1e-2, "paper")[[vocab.index(t) for t in STRIP]]
    assert texts(fig, "keep") == ["1" if p >= 1 else f"{float(p):.2f}" for p in probs]


def test_subsampling_window_reaches_past_the_dropped_words():
    vocab = strip_vocab()
    tokens = ["king", "the", "rules", ",", "castle", "of", "hill", "in", "kingdom", "."]
    # rare words at the even positions, frequent ones at the odd: draw so that these drop
    draws = [0.0 if i % 2 == 0 else 0.999 for i in range(len(tokens))]
    probs = keep_probabilities(vocab.counts)[[vocab.index(t) for t in tokens]]
    assert all(float(p) < 0.999 for p in probs[1::2])
    fig, _ = draw(diagrams.subsampling_strip, tokens=tokens, vocab=vocab, draws=draws, window=2)
    assert kept_tokens(fig) == tokens[::2]
    # the kept token nearest the middle is "castle"; its window now spans 4 positions
    assert "'castle' now reaches 4 positions away, not 2" in texts(fig, "note")[0]
    assert "'hill'" in texts(draw(diagrams.subsampling_strip, tokens=tokens, vocab=vocab,
                                  draws=draws, center=6)[0], "note")[0]


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: diagrams.skipgram_network(center="cat"), "'cat' is not in the vocabulary"),
    (lambda: diagrams.skipgram_network(words=[str(i) for i in range(13)], center="1", context="2"),
     "at most 12"),
    (lambda: diagrams.skipgram_network(w_in=torch.zeros(8, 3)), "both w_in and w_out"),
    (lambda: diagrams.skipgram_network(w_in=torch.zeros(7, 3), w_out=torch.zeros(7, 3)),
     "shape (V, d) = (8, d)"),
    (lambda: diagrams.cbow_network(contexts=[]), "at least one context word"),
    (lambda: diagrams.cbow_network(words=["the", "internationalisation"], contexts=["the"],
                                   center="internationalisation"), "too long for the labels"),
    (lambda: diagrams.two_tables(words=["the", "internationalisation"], center="the",
                                 context="internationalisation"), "too long for the labels"),
    (lambda: diagrams.sliding_window(sentence=["one"]), "2 to 12 words"),
    (lambda: diagrams.sliding_window(window=0), "window must be a whole number"),
    (lambda: diagrams.sliding_window(sentence=["antidisestablishmentarianism"] * 6),
     "the book's column"),
    (lambda: diagrams.sliding_window(window=4), "a smaller window"),
    (lambda: diagrams.two_tables(noise=["fox", "dog"]), "also among the noise words"),
    (lambda: diagrams.two_tables(noise=[]), "at least one noise word"),
    (lambda: diagrams.negative_sampling_question(noise=[]), "1 to 8 noise words"),
    (lambda: diagrams.negative_sampling_question(
        words=["a", "b", "internationalisations"], center="a", context="b",
        noise=["internationalisations"]), "too little room"),
    (lambda: diagrams.subsampling_strip(["the", "unicorn"], strip_vocab()), "'unicorn'"),
    (lambda: diagrams.subsampling_strip(["the", "king"], strip_vocab(), draws=[0.5]),
     "one per token"),
    (lambda: diagrams.subsampling_strip(["the", "king"], strip_vocab(), draws=[0.5, 1.0]),
     "in [0, 1)"),
    (lambda: diagrams.subsampling_strip(["the", "king"], strip_vocab(), formula="gensim"),
     "formula must be one of"),
    (lambda: diagrams.subsampling_strip(STRIP, strip_vocab(), draws=[0.0] * 11 + [0.999],
                                        center=11), "position of a kept token"),
])
def test_bad_input_says_what_is_wrong_and_leaves_no_figure_open(call, message):
    plt.close("all")
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
    assert plt.get_fignums() == []


def test_data_parallel_schemes_sends_the_changed_rows_or_every_row():
    touched = ((0, 3), (3, 5, 6))
    fig, _ = draw(diagrams.data_parallel_schemes, vocab_size=8, touched=touched)
    arrows = [t for t in fig.axes[0].texts if t.get_gid() == "sparse sends"]
    assert len(arrows) == 2 + 3  # one per changed row, from each process
    arrows = [t for t in fig.axes[0].texts if t.get_gid() == "average sends"]
    assert len(arrows) == 2 * 8  # every row, from each process
    for p, rows in enumerate(touched):
        for i in range(8):
            changed = patches(fig, f"sparse p{p} row {i} changed")
            assert bool(changed) == (i in rows)
    notes = [t.get_text() for t in fig.axes[0].texts]
    assert "each sends its 2 and 3 changed rows of 8" in notes
    assert "each sends all 8 rows of 8" in notes
    assert "Introduced in appendix B" in diagrams.data_parallel_schemes.__doc__
