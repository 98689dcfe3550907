"""Pictures of the ideas: the two networks, the window, the two tables, real pair
against noise, subsampling (chapters 2 to 5), and two processes keeping their tables
equal (appendix B).

Each function draws one idea from small real inputs (a sentence and a window size, a
training pair, a model's tables, a vocabulary's counts) and returns a matplotlib
Figure. They share one visual language, fixed once in :data:`PALETTE`, so that a
colour means the same thing in every chapter:

* ``input``  (blue):   a word's input vector ``v``, a row of the table ``w_in``;
* ``output`` (orange): a word's output vector ``u``, a row of the table ``w_out``;
* ``noise``  (purple): the noise words of negative sampling and their rows;
* ``window`` (green):  the center word and its window;
* ``muted``  (grey):   whatever takes no part in the step shown (``faint`` for its
  text).

The colours are from the Okabe-Ito set, which stays distinct for the common kinds of
colour blindness; lighter tints of them mark the secondary parts of a role.

Every figure is :data:`WIDTH` = 7 inches wide: at the notebooks' 100 dots per inch,
with the margin a notebook adds, that is 720 pixels, the width of the book's column.
The book shows it at about 93% of that (its output area is a little narrower than the
column), so the smallest text, 10 points or 14 pixels, shows at about 13 pixels. A
layout that would not fit is refused with an error, rather than drawn outside the
figure. Each figure is drawn on one set of axes whose units are inches, which keeps
the layout exact whatever the data.

Nothing is random unless a seed says so. The artists that carry data (a pair, a
probability, a kept token) have a ``gid``, so that the tests can read back what a
figure shows and compare it with the library.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextPath

from .cbow import combine_contexts
from .subsampling import keep_probabilities
from .vocab import Vocab
from .windows import skipgram_pairs

__all__ = ["PALETTE", "Palette", "WIDTH", "FOX", "skipgram_network", "cbow_network",
           "sliding_window", "two_tables", "negative_sampling_question", "subsampling_strip",
           "data_parallel_schemes"]


@dataclass(frozen=True)
class Palette:
    """The colour of each role in the figures (hex strings)."""

    input: str = "#0072B2"   # input vectors v, the table w_in
    output: str = "#E69F00"  # output vectors u, the table w_out
    noise: str = "#CC79A7"   # noise words and their output rows
    window: str = "#009E73"  # the center and its window
    muted: str = "#D9D9D9"   # what takes no part in the step shown
    faint: str = "#767676"   # the text of words left out
    ink: str = "#222222"     # text, edges and arrows


PALETTE = Palette()

WIDTH = 7.0     # inches: 700 px at 100 dpi, 720 px with the notebook's margin
FONT = 11       # points: words and tokens
SMALL = 10      # points: the smallest text (numbers, notes, long sentences); 13.9 px
TITLE = 12      # points

# chapter 2's sentence; its eight distinct words make the small vocabulary of the networks
FOX = ("the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog")
_FOX_WORDS = tuple(dict.fromkeys(FOX))


# --- drawing helpers -------------------------------------------------------------


def _tint(colour: str, share: float) -> str:
    """``colour`` mixed with white: ``share`` 1 is the colour itself, 0 is white."""
    return to_hex([1 - share + share * channel for channel in to_rgb(colour)])


def _canvas(height: float) -> tuple[Figure, Axes]:
    """A figure WIDTH x ``height`` inches with one frameless axes measured in inches."""
    fig = plt.figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _text_width(text: str, size: float = FONT, bold: bool = False) -> float:
    """The width of ``text`` in inches at ``size`` points (mathtext included)."""
    prop = FontProperties(weight="bold" if bold else "normal")
    return TextPath((0, 0), text, size=size, prop=prop).get_extents().width / 72


def _box(ax: Axes, x: float, y: float, w: float, h: float, face: str, edge: str | None = None,
         text: str | None = None, size: float = SMALL, colour: str | None = None,
         dashed: bool = False, gid: str | None = None) -> None:
    """A rectangle with its lower left corner at (x, y), and optional centred text."""
    ax.add_patch(Rectangle((x, y), w, h, facecolor=face, edgecolor=edge or PALETTE.ink,
                           linewidth=0.8, linestyle="--" if dashed else "-", gid=gid))
    if text is not None:
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size,
                color=colour or PALETTE.ink, gid=gid)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float],
           colour: str = PALETTE.ink, lw: float = 1.0) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(
        arrowstyle="-|>", color=colour, lw=lw, shrinkA=0, shrinkB=0, mutation_scale=9))


def _title(ax: Axes, height: float, title: str, *notes: str) -> None:
    """The title line, and one line of smaller text under it for each note."""
    ax.text(0.1, height - 0.2, title, fontsize=TITLE, va="center", color=PALETTE.ink)
    for i, note in enumerate(notes):
        ax.text(0.1, height - 0.45 - 0.2 * i, note, fontsize=SMALL, va="center",
                color=PALETTE.ink)


def _legend(ax: Axes, y: float, keys: Sequence[tuple[str, str, bool]]) -> None:
    """A row of small keys, each (face colour, label, dashed edge)."""
    x = 0.1
    for face, label, dashed in keys:
        _box(ax, x, y - 0.07, 0.22, 0.14, face, dashed=dashed)
        ax.text(x + 0.28, y, label, va="center", fontsize=SMALL, color=PALETTE.ink)
        x += 0.28 + _text_width(label, SMALL) + 0.3


def _too_wide(right: float, what: str, remedy: str = "use fewer or shorter words") -> None:
    """Refuse a layout that would spill out of the book's column."""
    if right > WIDTH - 0.05:
        raise ValueError(f"{what} need {right:.1f} inches and the figure has {WIDTH - 0.05:.1f} "
                         f"(the book's column); {remedy}.")


def _labels_fit_left(words: Sequence[str], right: float) -> None:
    """Refuse row labels, right-aligned at ``right``, that would spill out on the left."""
    widest = max(words, key=lambda word: _text_width(word, SMALL))
    if _text_width(widest, SMALL) > right - 0.05:
        raise ValueError(f"the word {widest!r} is too long for the labels of the rows; use "
                         f"words of at most about {int((right - 0.05) / 0.065)} letters.")


def _check_words(words: Sequence[str], most: int) -> list[str]:
    words = [str(word) for word in words]
    if not words or len(set(words)) != len(words):
        raise ValueError(f"words must be a non-empty list of distinct words (the vocabulary of "
                         f"the figure); got {words[:12]!r}.")
    if len(words) > most:
        raise ValueError(f"{len(words)} words do not fit the figure at the book's width; pass "
                         f"at most {most}: a small vocabulary is the point of the picture.")
    return words


def _lookup(words: Sequence[str], word: str, role: str) -> int:
    """The row of ``word``, or an error that says which words there are."""
    if word not in words:
        if len(words) <= 12:
            hint = f"the vocabulary of the figure is: {', '.join(words)}"
        else:
            close = difflib.get_close_matches(word, words, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "pick a word it holds"
        raise ValueError(f"the {role} {word!r} is not in the vocabulary of the figure; {hint}.")
    return list(words).index(word)


def _tables(words: Sequence[str], dim: int, w_in: torch.Tensor | None, w_out: torch.Tensor | None,
            seed: int, max_dim: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """The two tables to draw: the caller's, or standard normal ones drawn with ``seed``."""
    if (w_in is None) != (w_out is None):
        raise ValueError("pass both w_in and w_out, or neither (then both are drawn at random).")
    if w_in is None:
        generator = torch.Generator().manual_seed(seed)
        w_in = torch.randn(len(words), dim, generator=generator, dtype=torch.float64)
        w_out = torch.randn(len(words), dim, generator=generator, dtype=torch.float64)
    w_in = torch.as_tensor(w_in).detach().cpu().to(torch.float64)
    w_out = torch.as_tensor(w_out).detach().cpu().to(torch.float64)
    if w_in.dim() != 2 or w_in.shape != w_out.shape or w_in.shape[0] != len(words):
        raise ValueError(f"w_in and w_out must both have shape (V, d) = ({len(words)}, d), one row "
                         f"per word; got {tuple(w_in.shape)} and {tuple(w_out.shape)}.")
    if not 1 <= w_in.shape[1] <= max_dim:
        raise ValueError(f"the picture draws d = 1 to {max_dim} columns per table; got "
                         f"d = {w_in.shape[1]}. Pass smaller tables, or none.")
    return w_in, w_out


def _token_widths(tokens: Sequence[str], size: float = FONT, least: float = 0.3) -> list[float]:
    """The width of a box that holds each token at ``size`` points."""
    return [max(least, _text_width(token, size) + 0.1) for token in tokens]


# --- the two networks (chapters 2 and 3) -----------------------------------------

_ROW = 0.25        # height of one vocabulary row, inches
_TABLE_W = 0.66    # width of a V x d table, whatever d


def _network(words: list[str], inputs: dict[int, str], hidden: torch.Tensor,
             w_out: torch.Tensor, target: int, title: str, input_label: str,
             hidden_label: str, softmax_label: str, loss_text: str) -> Figure:
    """The layout both networks share, left to right: the input column, w_in, the
    hidden vector h, w_out, the scores, the softmax. ``inputs`` maps the rows that
    the input selects to the text of their cell."""
    V, dim = w_out.shape
    x_in = 0.85                   # the input column; the words are written to its left
    _labels_fit_left(words, x_in - 0.07)
    scores = w_out @ hidden
    probs = torch.softmax(scores, dim=0)
    x_p, bar = 5.05, 0.8          # where the softmax bars start, and the longest bar
    labels = [f"{float(p):.2f} {word}" for p, word in zip(probs, words)]
    _too_wide(x_p + bar + 0.05 + max(_text_width(label, SMALL, bold=True) for label in labels),
              "the words")
    height = 1.75 + V * _ROW
    fig, ax = _canvas(height)
    _title(ax, height, title)
    top = height - 1.05                     # the top edge of the first row
    row_y = [top - (i + 1) * _ROW for i in range(V)]
    mid, bottom, head_y = top - V * _ROW / 2, top - V * _ROW, top + 0.35

    def header(x: float, text: str) -> None:
        ax.text(x, head_y, text, ha="center", va="center", fontsize=SMALL)

    # the input column: one cell per word, the selected words in the window colour
    header(x_in + 0.15, input_label)
    for i, word in enumerate(words):
        ax.text(x_in - 0.07, row_y[i] + _ROW / 2, word, ha="right", va="center", fontsize=SMALL)
        chosen = i in inputs
        _box(ax, x_in, row_y[i], 0.3, _ROW, PALETTE.window if chosen else "white",
             text=inputs.get(i, "0"), colour="white" if chosen else PALETTE.ink, gid="input")

    # w_in: the input selects rows, which are input vectors
    x_win, cell = 1.5, _TABLE_W / dim
    header(x_win + _TABLE_W / 2, "w_in\n(V × d)")
    ax.text(x_win + _TABLE_W / 2, bottom - 0.17, "row $w$: $v_w$", ha="center", va="center",
            fontsize=SMALL)
    for i in range(V):
        face = PALETTE.input if i in inputs else PALETTE.muted
        for j in range(dim):
            _box(ax, x_win + j * cell, row_y[i], cell, _ROW, face, edge="white", gid="w_in")
    for i in inputs:
        _arrow(ax, (x_in + 0.3, row_y[i] + _ROW / 2), (x_win, row_y[i] + _ROW / 2), PALETTE.input)

    # the hidden vector h: d cells in a column
    x_h = 2.55
    header(x_h + 0.15, hidden_label)
    for j in range(dim):
        _box(ax, x_h, mid + dim * _ROW / 2 - (j + 1) * _ROW, 0.3, _ROW, PALETTE.input,
             edge="white", gid="hidden")
    for i in inputs:
        _arrow(ax, (x_win + _TABLE_W, row_y[i] + _ROW / 2), (x_h, mid), PALETTE.input)

    # w_out: every row takes part in the scores; the target's row is the one rewarded
    x_wout = 3.25
    header(x_wout + _TABLE_W / 2, "w_out\n(V × d)")
    ax.text(x_wout + _TABLE_W / 2, bottom - 0.17, "row $w$: $u_w$", ha="center", va="center",
            fontsize=SMALL)
    for i in range(V):
        face = PALETTE.output if i == target else _tint(PALETTE.output, 0.35)
        for j in range(dim):
            _box(ax, x_wout + j * cell, row_y[i], cell, _ROW, face, edge="white", gid="w_out")
    _arrow(ax, (x_h + 0.3, mid), (x_wout, mid))

    # the scores s_w = u_w . h, one per word of the vocabulary
    x_s = 4.25
    header(x_s + 0.23, "scores\n$s_w = u_w^\\top h$")
    for i in range(V):
        _box(ax, x_s, row_y[i], 0.46, _ROW, "white", text=f"{float(scores[i]):.2f}", gid="score")
    _arrow(ax, (x_wout + _TABLE_W, mid), (x_s, mid))

    # the softmax: one probability per word, as bars (the longest bar is the largest p)
    header(x_p + 0.55, softmax_label)
    _arrow(ax, (x_s + 0.46, mid), (x_p - 0.04, mid))
    largest = float(probs.max())
    for i, label in enumerate(labels):
        length = bar * float(probs[i]) / largest
        face = PALETTE.output if i == target else _tint(PALETTE.output, 0.35)
        ax.add_patch(Rectangle((x_p, row_y[i] + 0.03), length, _ROW - 0.06, facecolor=face,
                               edgecolor="none"))
        ax.text(x_p + length + 0.05, row_y[i] + _ROW / 2, label, va="center", fontsize=SMALL,
                fontweight="bold" if i == target else "normal", gid="probability")

    loss = -float(torch.log_softmax(scores, dim=0)[target])
    ax.text(0.1, 0.18, f"{loss_text} = −log {float(probs[target]):.2f} = {loss:.2f}",
            fontsize=SMALL, va="center", gid="loss")
    return fig


def skipgram_network(words: Sequence[str] = _FOX_WORDS, center: str = "brown",
                     context: str = "fox", w_in: torch.Tensor | None = None,
                     w_out: torch.Tensor | None = None, dim: int = 3, seed: int = 0) -> Figure:
    """The skip-gram network: the one-hot vector of the center, the table ``w_in``, the
    hidden vector ``h = v_c``, the table ``w_out``, the scores and the softmax.

    Introduced in chapter 2. One forward pass with real numbers: the one-hot vector of
    ``center`` selects its row of ``w_in`` (its input vector ``v_c``), every row
    ``u_w`` of ``w_out`` scores it, and the softmax turns the ``V`` scores into
    probabilities. ``context`` is the target: its row and its probability are the ones
    the loss ``-log p(context | center)``, printed at the bottom, rewards.

    Pass a model's tables as ``w_in`` and ``w_out`` (``(V, d)`` each with ``d <= 8``,
    rows in the order of ``words``); without them both are drawn from a standard
    normal distribution with ``seed`` (``dim`` columns), so the scores differ visibly.
    """
    words = _check_words(words, 12)
    w_in, w_out = _tables(words, dim, w_in, w_out, seed)
    c, o = _lookup(words, center, "center"), _lookup(words, context, "context word")
    return _network(
        words, {c: "1"}, w_in[c], w_out, o,
        title=f"Skip-gram: the center '{center}' predicts a context word",
        input_label="one-hot of\nthe center", hidden_label="hidden\n$h = v_c$ (d)",
        softmax_label="softmax\n$p(w \\mid c)$",
        loss_text=f"target: the context word '{context}'; loss −log p({context} | {center})")


def cbow_network(words: Sequence[str] = _FOX_WORDS,
                 contexts: Sequence[str] = ("the", "quick", "fox", "jumps"),
                 center: str = "brown", w_in: torch.Tensor | None = None,
                 w_out: torch.Tensor | None = None, dim: int = 3, seed: int = 0) -> Figure:
    """The CBOW network, in the layout of :func:`skipgram_network` so that the two sit
    together: the context words go in, their rows of ``w_in`` are averaged into the
    hidden vector ``h``, and the softmax predicts the center.

    Introduced in chapter 3. The input column is the mean of the context words'
    one-hot vectors (``1/n`` for each of the ``n`` context words), so that
    ``h = x^T w_in`` is the mean of their input vectors; ``h`` is computed by
    :func:`w2v_lib.cbow.combine_contexts`. The default is the window of "brown" in
    chapter 2's sentence, m = 2. Tables as in :func:`skipgram_network`.
    """
    words = _check_words(words, 12)
    w_in, w_out = _tables(words, dim, w_in, w_out, seed)
    if not contexts:
        raise ValueError("contexts must hold at least one context word.")
    rows = [_lookup(words, word, "context word") for word in contexts]
    c = _lookup(words, center, "center")
    hidden = combine_contexts(w_in[rows][None], torch.ones(1, len(rows), dtype=torch.bool))[0]
    # a word that occurs twice in the window counts twice in the mean
    inputs = {i: f"{rows.count(i)}/{len(rows)}" if len(rows) > 1 else "1"
              for i in sorted(set(rows))}
    return _network(
        words, inputs, hidden, w_out, c,
        title=f"CBOW: the context words predict the center '{center}'",
        input_label="mean of their\none-hots", hidden_label="hidden (d)\nmean of $v_o$",
        softmax_label="softmax\n$p(w \\mid \\mathrm{context})$",
        loss_text=f"target: the center '{center}'; loss −log p({center} | {', '.join(contexts)})")


# --- the sliding window (chapter 2) ----------------------------------------------


def _window_sizes(length: int, window: int, reduced: bool, seed: int) -> list[int]:
    """The window size ``b`` of every center: ``window`` for all, or, for the reduced
    window, drawn from 1..window as :func:`w2v_lib.windows.skipgram_pairs` draws it
    with a generator seeded with ``seed``."""
    if not reduced:
        return [window] * length
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(1, window + 1, (length,), generator=generator).tolist()


def sliding_window(sentence: Sequence[str] = FOX, window: int = 2, reduced: bool = True,
                   seed: int = 0) -> Figure:
    """A window sliding over a sentence, and the (center, context) pairs it makes.

    Introduced in chapter 2. One row per center, from left to right. With
    ``reduced=True`` each center draws its own window size ``b`` from ``1..window``, as
    word2vec.c does: the words within ``b`` of the center are its context (filled), the
    words within ``window`` but beyond ``b`` are left out this time (dashed). The pairs
    on the right are those of :func:`w2v_lib.windows.skipgram_pairs` for the same
    sentence, window and ``seed``. Chapter 2's sentence of nine words fits the book's
    column with a window of up to 2; a layout that does not fit is an error.
    """
    tokens = [str(token) for token in sentence]
    if not 2 <= len(tokens) <= 12:
        raise ValueError(f"the picture needs a sentence of 2 to 12 words (one row per center); "
                         f"got {len(tokens)}.")
    # the library's pairs, made on positions so that a repeated word stays apart
    positions = torch.arange(len(tokens))
    centers, contexts = skipgram_pairs(positions, window, reduced=reduced,
                                       generator=torch.Generator().manual_seed(seed))
    pairs = list(zip(centers.tolist(), contexts.tolist()))
    full = len(skipgram_pairs(positions, window)[0])
    sizes = _window_sizes(len(tokens), window, reduced, seed)
    if pairs != [(t, j) for t in range(len(tokens)) for j in range(len(tokens))
                 if j != t and abs(j - t) <= sizes[t]]:
        raise RuntimeError("the window sizes b drawn for the picture no longer match the pairs of "
                           "w2v_lib.windows.skipgram_pairs; the two must draw b the same way.")

    widths = _token_widths(tokens, SMALL)
    gap, row = 0.04, 0.3
    x0 = 0.55 if reduced else 0.1     # room for the column of b
    starts = [x0 + sum(widths[:i]) + gap * i for i in range(len(tokens))]
    x_pairs = starts[-1] + widths[-1] + 0.15
    header = "pairs (center → context)"
    lines = [f"{tokens[t]} → " + ", ".join(tokens[j] for c, j in pairs if c == t)
             for t in range(len(tokens))]
    _too_wide(x_pairs + max(_text_width(line, SMALL) for line in [header, *lines]),
              "the sentence and its pairs",
              "use a shorter sentence or a smaller window (chapter 2's nine words fit with m = 2)")

    height = 1.65 + len(tokens) * row
    fig, ax = _canvas(height)
    _title(ax, height, f"A window sliding over a sentence, m = {window}",
           "each center draws b from 1..m and pairs with the words within b of it" if reduced
           else "each center pairs with the words within m of it")
    top = height - 0.85
    ax.text(x_pairs, top + 0.12, header, fontsize=SMALL, va="center", style="italic")
    for t in range(len(tokens)):
        y = top - (t + 1) * row
        if reduced:
            ax.text(0.1, y + row / 2 - 0.02, f"b = {sizes[t]}", fontsize=SMALL, va="center",
                    gid="b")
        for j, (token, x, w) in enumerate(zip(tokens, starts, widths)):
            box_y, box_h, distance = y + 0.03, row - 0.06, abs(j - t)
            if j == t:
                _box(ax, x, box_y, w, box_h, PALETTE.window, edge=PALETTE.window, text=token,
                     size=SMALL, colour="white", gid="center")
            elif distance <= sizes[t]:
                _box(ax, x, box_y, w, box_h, _tint(PALETTE.window, 0.3), edge=PALETTE.window,
                     text=token, size=SMALL, gid="context")
            elif distance <= window:
                _box(ax, x, box_y, w, box_h, "white", edge=PALETTE.window, text=token, size=SMALL,
                     dashed=True, gid="left out")
            else:
                ax.text(x + w / 2, box_y + box_h / 2, token, ha="center", va="center",
                        fontsize=SMALL, color=PALETTE.faint)
        ax.text(x_pairs, y + row / 2 - 0.02, lines[t], fontsize=SMALL, va="center", gid="pairs")

    footer = f"{len(pairs)} pairs"
    if reduced:
        footer += f"; the full window (b = m = {window} for every center) gives {full}"
    ax.text(0.1, 0.5, footer, fontsize=SMALL, va="center")
    keys = [(PALETTE.window, "center", False),
            (_tint(PALETTE.window, 0.3), f"context, within {'b' if reduced else 'm'}", False)]
    if reduced:
        keys.append(("white", "within m, beyond b: left out this time", True))
    _legend(ax, 0.2, keys)
    return fig


# --- the two tables (chapters 2 and 4) -------------------------------------------


def two_tables(words: Sequence[str] = _FOX_WORDS, center: str = "brown", context: str = "fox",
               noise: Sequence[str] | None = None, dim: int = 4) -> Figure:
    """The two tables ``w_in`` and ``w_out``, and the rows one training pair touches.

    Introduced in chapter 2, drawn again in chapter 4. A pair (``center``, ``context``)
    reads the center's row of ``w_in`` (its input vector ``v_c``) and, with the full
    softmax (``noise=None``), every row of ``w_out``: the context's output vector
    ``u_o`` is pulled towards ``v_c``, every other ``u_w`` pushed away in proportion to
    ``p(w | c)``. With negative sampling, pass the ``k`` noise words: the pair then
    touches only the context's row and the noise words' rows of ``w_out``.
    """
    words = _check_words(words, 12)
    if not 1 <= dim <= 8:
        raise ValueError(f"the picture draws d = 1 to 8 columns per table; got d = {dim}.")
    c, o = _lookup(words, center, "center"), _lookup(words, context, "context word")
    softmax = noise is None
    noise_rows = [] if softmax else [_lookup(words, word, "noise word") for word in noise]
    if not softmax and not noise_rows:
        raise ValueError("noise must hold at least one noise word, or be None for the full "
                         "softmax.")
    if o in noise_rows:
        raise ValueError(f"the context word {context!r} is also among the noise words; word2vec "
                         "skips such a draw, so leave it out of noise.")

    V, row = len(words), 0.27
    width = 0.25 * min(dim, 5)
    x_in, x_out = 0.95, 3.1
    _labels_fit_left(words, x_in - 0.08)
    x_note = x_out + width + 0.12 + max(_text_width(word, SMALL) for word in words) + 0.15
    notes = {o: "context: pulled towards $v_c$"}
    notes.update({i: "noise: pushed away from $v_c$" for i in noise_rows})
    if softmax:
        notes.update({i: "pushed away, by $p(w \\mid c)$" for i in range(V) if i != o})
    _too_wide(x_note + max(_text_width(note, SMALL, bold=True) for note in notes.values()),
              "the words and notes")
    height = 1.85 + V * row
    fig, ax = _canvas(height)
    k = len(set(noise_rows))
    _title(ax, height, "One pair, full softmax: one row of w_in, every row of w_out" if softmax
           else f"One pair, negative sampling: one row of w_in, 1 + {k} rows of w_out",
           f"the pair (center, context) = ({center}, {context})")
    top = height - 0.95
    row_y = [top - (i + 1) * row for i in range(V)]
    cell = width / dim

    ax.text(x_in + width / 2, top + 0.2, "w_in (V × d), rows $v_w$", ha="center", va="center",
            fontsize=FONT)
    ax.text(x_out + width / 2, top + 0.2, "w_out (V × d), rows $u_w$", ha="center", va="center",
            fontsize=FONT)
    for i, word in enumerate(words):
        y = row_y[i] + row / 2
        ax.text(x_in - 0.08, y, word, ha="right", va="center", fontsize=SMALL)
        ax.text(x_out + width + 0.08, y, word, ha="left", va="center", fontsize=SMALL)
        if i == o:
            face_out = PALETTE.output
        elif i in noise_rows:
            face_out = PALETTE.noise
        else:
            face_out = _tint(PALETTE.output, 0.35) if softmax else PALETTE.muted
        for j in range(dim):
            face_in = PALETTE.input if i == c else PALETTE.muted
            _box(ax, x_in + j * cell, row_y[i], cell, row, face_in, edge="white",
                 gid=f"w_in {word}")
            _box(ax, x_out + j * cell, row_y[i], cell, row, face_out, edge="white",
                 gid=f"w_out {word}")
        if i in notes:
            ax.text(x_note, y, notes[i], va="center", fontsize=SMALL,
                    fontweight="bold" if i == o else "normal")

    # a line from v_c to every output row it is scored against, the real pair's thickest
    start = (x_in + width, row_y[c] + row / 2)
    for i in (range(V) if softmax else dict.fromkeys(noise_rows)):
        if i != o:
            ax.plot([start[0], x_out], [start[1], row_y[i] + row / 2], lw=1.0,
                    color=_tint(PALETTE.output, 0.6) if softmax else PALETTE.noise,
                    ls="-" if softmax else "--")
    ax.plot([start[0], x_out], [start[1], row_y[o] + row / 2], color=PALETTE.output, lw=2.2)
    ax.text((start[0] + x_out) / 2, row_y[-1] - 0.05, "scores $u_w^\\top v_c$", ha="center",
            va="top", fontsize=SMALL)

    count = f"all {V}" if softmax else f"{1 + k} of {V}"
    ax.text(0.1, 0.42, f"rows updated by this pair: 1 of w_in ({center}), {count} of w_out",
            fontsize=SMALL, va="center")
    _legend(ax, 0.1, [(PALETTE.input, "input vector $v_c$", False),
                      (PALETTE.output, "output vector $u_o$", False),
                      (_tint(PALETTE.output, 0.35), "other output rows", False) if softmax
                      else (PALETTE.noise, "noise rows $u_k$", False),
                      (PALETTE.muted, "not touched", False)])
    return fig


# --- negative sampling: real pair or noise? (chapter 4) --------------------------


def negative_sampling_question(words: Sequence[str] = _FOX_WORDS, center: str = "brown",
                               context: str = "fox", noise: Sequence[str] = ("over", "lazy", "dog"),
                               w_in: torch.Tensor | None = None,
                               w_out: torch.Tensor | None = None) -> Figure:
    """Negative sampling as a question: is (center, w) a real pair, or noise?

    Introduced in chapter 4. One center, its real context word and ``k`` noise words
    (the same word may be drawn twice). Each is scored against the center,
    ``sigma(u_w . v_c)``, and labelled 1 (the real pair) or 0 (noise); next to each is
    its term of the loss, ``-log sigma(u_o . v_c)`` for the real pair and
    ``-log sigma(-u_k . v_c)`` for each noise word, and their sum is printed below.

    Pass a model's tables as ``w_in`` and ``w_out`` (``(V, d)`` each, rows in the
    order of ``words``, any ``d``: the vectors are drawn as four symbolic cells) to
    draw its scores. Without them the figure shows word2vec's starting point:
    ``w_out`` is all zeros, so every score is ``sigma(0) = 0.5``. The arrows show
    where training pushes each score.
    """
    # only the k + 1 words scored are drawn, so the vocabulary may be a real one
    words = _check_words(words, 10**7)
    at_start = w_in is None and w_out is None
    if at_start:
        # word2vec's start: small input vectors, output vectors all zero
        w_in = (torch.rand(len(words), 4, generator=torch.Generator().manual_seed(0),
                           dtype=torch.float64) - 0.5) / 4
        w_out = torch.zeros_like(w_in)
    w_in, w_out = _tables(words, 4, w_in, w_out, 0, max_dim=10**6)
    c, o = _lookup(words, center, "center"), _lookup(words, context, "context word")
    noise_rows = [_lookup(words, word, "noise word") for word in noise]
    if not 1 <= len(noise_rows) <= 8:
        raise ValueError(f"draw 1 to 8 noise words (k); got {len(noise_rows)}.")
    if o in noise_rows:
        raise ValueError(f"the context word {context!r} is also among the noise words; word2vec "
                         "skips such a draw, so leave it out of noise.")

    rows, labels = [o, *noise_rows], [1] + [0] * len(noise_rows)
    raw = w_out[rows] @ w_in[c]
    scores = torch.sigmoid(raw)
    # -log sigma(s) for the real pair, -log sigma(-s) for noise
    terms = [-float(F.logsigmoid(s if label else -s)) for s, label in zip(raw, labels)]

    # the columns, left to right: the word, u_w, the score on [0, 1], the label, the term
    names = [f"{words[r]} ({'real' if label else 'noise'})" for r, label in zip(rows, labels)]
    cell, cells = 0.16, 4
    x_word = 1.7
    x_vec = max(2.65, x_word + max(_text_width(name, SMALL, bold=True) for name in names) + 0.15)
    x_bar = x_vec + cells * cell + 0.2
    bar = min(1.5, WIDTH - 1.8 - x_bar)
    if bar < 0.8:
        raise ValueError(f"the word {max(names, key=len)!r} leaves too little room for the scores; "
                         "use shorter words.")
    x_value = x_bar + bar + 0.1
    x_label, x_term = x_value + 0.65, x_value + 1.25

    notes = [f"one real context word and k = {len(noise_rows)} noise words; arrows: where "
             "training pushes each score"]
    if at_start:
        notes.append("w_out starts at 0 in word2vec, so every score starts at σ(0) = 0.5")
    row = 0.38
    height = 1.55 + 0.2 * len(notes) + len(rows) * row
    fig, ax = _canvas(height)
    _title(ax, height, "Negative sampling: is (center, w) a real pair, or noise?", *notes)
    top = height - 0.75 - 0.2 * len(notes)
    row_y = [top - (i + 1) * row for i in range(len(rows))]
    mid = top - len(rows) * row / 2

    # the center and its input vector, at the left
    _box(ax, 0.15, mid + 0.02, 0.75, 0.28, PALETTE.window, edge=PALETTE.window, text=center,
         size=FONT, colour="white")
    for j in range(cells):
        _box(ax, 0.525 - cells * cell / 2 + j * cell, mid - 0.26, cell, 0.22, PALETTE.input,
             edge="white")
    ax.text(0.525, mid - 0.42, "$v_c$", ha="center", va="center", fontsize=FONT)

    # one row per word scored
    for x, text in ((x_vec + cells * cell / 2, "$u_w$"),
                    (x_bar + bar / 2, "score $\\sigma(u_w^\\top v_c)$"), (x_label, "label"),
                    (x_term, "loss term")):
        ax.text(x, top + 0.15, text, ha="center", va="center", fontsize=SMALL)
    ax.text(x_word, top + 0.15, "word w", va="center", fontsize=SMALL)
    for i, (r, label) in enumerate(zip(rows, labels)):
        y = row_y[i] + row / 2
        colour = PALETTE.output if label else PALETTE.noise
        ax.plot([0.9, x_word - 0.08], [mid + 0.16, y], color=colour, lw=2.0 if label else 1.0,
                ls="-" if label else "--")
        ax.text(x_word, y, names[i], va="center", fontsize=SMALL,
                fontweight="bold" if label else "normal", gid="word")
        for j in range(cells):
            _box(ax, x_vec + j * cell, y - 0.11, cell, 0.22, colour, edge="white")
        score = float(scores[i])
        ax.add_patch(Rectangle((x_bar, y - 0.08), bar, 0.16, facecolor="white",
                               edgecolor=PALETTE.ink, linewidth=0.6))
        ax.add_patch(Rectangle((x_bar, y - 0.08), bar * score, 0.16, facecolor=colour,
                               edgecolor="none"))
        # an arrow from the score to the label it is trained towards, unless it is there
        if abs(label - score) * bar > 0.12:
            _arrow(ax, (x_bar + bar * score, y + 0.13), (x_bar + bar * label, y + 0.13), lw=0.8)
        ax.text(x_value, y, f"{score:.2f}", va="center", fontsize=SMALL, gid="score")
        ax.text(x_label, y, str(label), ha="center", va="center", fontsize=FONT,
                fontweight="bold", gid="label")
        ax.text(x_term, y, f"{terms[i]:.2f}", ha="center", va="center", fontsize=SMALL,
                gid="term")
    for x, text in ((x_bar, "0"), (x_bar + bar, "1")):
        ax.text(x, row_y[-1] - 0.05, text, ha="center", va="top", fontsize=SMALL)

    formula = "$-\\log \\sigma(u_o^\\top v_c) - \\sum_k \\log \\sigma(-u_k^\\top v_c)$"
    ax.text(0.1, 0.45, f"loss {formula} = {sum(terms):.2f}", fontsize=SMALL, va="center",
            gid="loss")
    _legend(ax, 0.15, [(PALETTE.input, "input vector $v_c$", False),
                       (PALETTE.output, "output vector $u_o$ (real)", False),
                       (PALETTE.noise, "noise vectors $u_k$", False)])
    return fig


# --- subsampling (chapter 5) -----------------------------------------------------


def subsampling_strip(tokens: Sequence[str], vocab: Vocab, threshold: float = 1e-3,
                      formula: str = "word2vec", draws: Sequence[float] | None = None,
                      seed: int = 0, window: int | None = 2, center: int | None = None) -> Figure:
    """A strip of text before and after subsampling: frequent words dropped.

    Introduced in chapter 5. Each token is shown with its keep probability, from
    :func:`w2v_lib.subsampling.keep_probabilities` on ``vocab``'s counts with
    ``threshold`` and ``formula``, and with a uniform draw ``r``; it is kept when
    ``r < P_keep``. ``draws`` gives the draws, one per token; without it they are drawn
    with ``seed`` as :func:`w2v_lib.subsampling.subsample` draws them, so the tokens
    kept are those ``subsample`` keeps with a generator seeded the same way.

    With a ``window`` m, the window of one kept token (``center``, its position in
    ``tokens``; by default the kept token nearest the middle) is marked before and
    after: made after subsampling, it reaches words that were farther away (the window
    widening of Levy, Goldberg and Dagan, 2015).
    """
    tokens = [str(token) for token in tokens]
    if not 2 <= len(tokens) <= 16:
        raise ValueError(f"the strip shows 2 to 16 tokens; got {len(tokens)}.")
    for token in tokens:
        if token not in vocab:
            raise ValueError(f"the token {token!r} is not in the vocabulary; word2vec drops such "
                             "words before subsampling, so leave it out of tokens.")
    ids = torch.tensor([vocab.index(token) for token in tokens])
    keep_prob = keep_probabilities(vocab.counts, threshold, formula)[ids]
    if draws is None:
        # the draws w2v_lib.subsampling.subsample makes: one uniform number per token
        r = torch.rand(ids.shape, generator=torch.Generator().manual_seed(seed),
                       dtype=keep_prob.dtype)
    else:
        r = torch.as_tensor(list(draws), dtype=keep_prob.dtype)
        if r.shape != ids.shape or bool(((r < 0) | (r >= 1)).any()):
            raise ValueError(f"draws must be {len(tokens)} numbers in [0, 1), one per token; "
                             f"got {list(draws)!r}.")
    kept = (r < keep_prob).tolist()
    kept_positions = [i for i, k in enumerate(kept) if k]

    widths = _token_widths(tokens, least=0.4)
    gap, x0 = 0.04, 0.8
    starts = [x0 + sum(widths[:i]) + gap * i for i in range(len(tokens))]
    _too_wide(starts[-1] + widths[-1], "the tokens")
    after_starts, x = {}, x0
    for i in kept_positions:
        after_starts[i] = x
        x += widths[i] + gap

    # the window of one kept token, made after subsampling
    in_window: list[int] = []
    if window is not None and kept_positions:
        if window < 1:
            raise ValueError(f"window must be at least 1, or None for no window; got {window}.")
        if center is None:
            middle = (len(tokens) - 1) / 2
            center = min(kept_positions, key=lambda i: (abs(i - middle), i))
        elif center not in kept_positions:
            raise ValueError(f"center must be the position of a kept token, one of "
                             f"{kept_positions}; got {center!r}.")
        k = kept_positions.index(center)
        in_window = kept_positions[max(0, k - window):k + window + 1]

    note = f"kept {len(kept_positions)} of {len(tokens)} tokens"
    if in_window:
        first, last = max(0, center - window), min(len(tokens) - 1, center + window)
        reach = max(abs(i - center) for i in in_window)
        note += (f"; the window m = {window} of '{tokens[center]}' now reaches {reach} "
                 f"positions away, not {max(center - first, last - center)}")
    _too_wide(0.1 + _text_width(note, SMALL), "the note under the strip")

    height = 3.25
    fig, ax = _canvas(height)
    name = {"paper": "the paper's", "word2vec": "word2vec.c's", "fasttext": "fastText's"}[formula]
    _title(ax, height, "Subsampling: frequent words dropped before the windows are made",
           f"each token is kept when a uniform draw r < $P_{{keep}}$ ({name} formula, "
           f"t = {threshold:g})")
    y_before, y_p, y_r, y_after, box_h = 2.05, 1.78, 1.55, 0.9, 0.26
    for label, y in (("before", y_before + box_h / 2), ("$P_{keep}$", y_p), ("r", y_r),
                     ("after", y_after + box_h / 2)):
        ax.text(0.1, y, label, va="center", fontsize=SMALL, style="italic")
    for i, (token, x, w) in enumerate(zip(tokens, starts, widths)):
        if in_window and i == center:
            face, edge, colour = PALETTE.window, PALETTE.window, "white"
        elif i in in_window:
            face, edge, colour = _tint(PALETTE.window, 0.3), PALETTE.window, PALETTE.ink
        elif kept[i]:
            face, edge, colour = "white", PALETTE.ink, PALETTE.ink
        else:
            face, edge, colour = PALETTE.muted, PALETTE.muted, PALETTE.faint
        _box(ax, x, y_before, w, box_h, face, edge=edge, text=token, size=FONT, colour=colour,
             gid="before")
        p = float(keep_prob[i])
        ax.text(x + w / 2, y_p, "1" if p >= 1 else f"{p:.2f}", ha="center", va="center",
                fontsize=SMALL, gid="keep")
        ax.text(x + w / 2, y_r, f"{float(r[i]):.2f}", ha="center", va="center", fontsize=SMALL,
                color=PALETTE.ink if kept[i] else PALETTE.faint, gid="draw")
        if kept[i]:
            xa = after_starts[i]
            ax.plot([x + w / 2, xa + w / 2], [y_r - 0.13, y_after + box_h + 0.03],
                    color=PALETTE.ink, lw=0.6, alpha=0.5)
            _box(ax, xa, y_after, w, box_h, face, edge=edge, text=token, size=FONT,
                 colour=colour, gid="after")

    if in_window:
        # the same window made on the text as it was: a bracket above the strip
        y, right = y_before + box_h + 0.07, starts[last] + widths[last]
        ax.plot([starts[first], starts[first], right, right], [y, y + 0.06, y + 0.06, y],
                color=PALETTE.window, lw=1.0)
        ax.text(starts[first] + 0.02, y + 0.15, f"window m = {window} without subsampling",
                fontsize=SMALL, va="center")
    ax.text(0.1, 0.55, note, fontsize=SMALL, va="center", gid="note")
    keys = [("white", "kept", False), (PALETTE.muted, "dropped", False)]
    if in_window:
        keys += [(PALETTE.window, "center", False),
                 (_tint(PALETTE.window, 0.3), "its window after subsampling", False)]
    _legend(ax, 0.2, keys)
    return fig


# --- two processes, two ways to keep their tables equal (appendix B) ----------------


def data_parallel_schemes(vocab_size: int = 12, touched: Sequence[Sequence[int]] = (
        (1, 4, 7), (2, 4, 10)), dim: int = 4) -> Figure:
    """Two processes, each with its copy of ``w_in`` (``vocab_size`` rows), after one
    step on their own shards: ``touched[p]`` lists the rows process ``p``'s step changed.

    Introduced in appendix B. On the left, the sparse scheme: each process sends the
    rows its step changed (and receives the other's). On the right, averaging: each
    sends its whole table, every row, whatever the step touched. The count of rows each
    process sends is written under each panel.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) \
            or not 2 <= vocab_size <= 16:
        raise ValueError(f"the picture draws tables of 2 to 16 rows; got vocab_size = "
                         f"{vocab_size!r}.")
    if not 1 <= dim <= 6:
        raise ValueError(f"the picture draws d = 1 to 6 columns per table; got d = {dim}.")
    if len(touched) != 2:
        raise ValueError(f"touched must hold the rows of exactly two processes; got "
                         f"{len(touched)} lists.")
    rows_of = []
    for p, rows in enumerate(touched):
        rows = sorted(set(int(r) for r in rows))
        if not rows or rows[0] < 0 or rows[-1] >= vocab_size:
            raise ValueError(f"touched[{p}] must list rows from 0 to {vocab_size - 1}, at "
                             f"least one; got {list(touched[p])!r}.")
        rows_of.append(rows)

    row, cell = 0.22, 0.16
    width = cell * dim
    height = 1.85 + vocab_size * row
    fig, ax = _canvas(height)
    _title(ax, height, "Two processes keep their copies of w_in equal",
           "after one step each on its own shard; the rows its step changed are coloured")
    top = height - 0.95
    panels = (("sparse: send the changed rows", 0.35, True),
              ("average: send the whole table", 3.75, False))
    for label, left, sparse in panels:
        ax.text(left + 1.4, top + 0.25, label, ha="center", va="center", fontsize=FONT)
        xs = (left + 0.35, left + 2.45 - width)
        for p, x in enumerate(xs):
            ax.text(x + width / 2, top + 0.03, f"process {p}", ha="center", va="center",
                    fontsize=SMALL)
            for i in range(vocab_size):
                y = top - 0.12 - (i + 1) * row
                changed = i in rows_of[p]
                face = PALETTE.input if changed else (
                    _tint(PALETTE.input, 0.3) if not sparse else PALETTE.muted)
                for j in range(dim):
                    _box(ax, x + j * cell, y, cell, row, face, edge="white",
                         gid=f"{'sparse' if sparse else 'average'} p{p} row {i}"
                         + (" changed" if changed else ""))
        # the rows each process sends: an arrow per row, to the same row of the other
        sent = 0
        for p in (0, 1):
            rows = rows_of[p] if sparse else range(vocab_size)
            for i in rows:
                y = top - 0.12 - i * row - row / 2 + (0.04 if p == 0 else -0.04)
                start, end = (xs[0] + width, xs[1]) if p == 0 else (xs[1], xs[0] + width)
                colour = PALETTE.window if sparse or i in rows_of[p] else PALETTE.faint
                ax.annotate("", xy=(end, y), xytext=(start, y), arrowprops=dict(
                    arrowstyle="-|>", color=colour, lw=0.8, shrinkA=1, shrinkB=1,
                    mutation_scale=7), gid=f"{'sparse' if sparse else 'average'} sends")
            sent = max(sent, len(rows))
        what = (f"each sends its {len(rows_of[0])} and {len(rows_of[1])} changed rows"
                if sparse else f"each sends all {vocab_size} rows")
        ax.text(left + 1.4, 0.45, f"{what} of {vocab_size}", ha="center", va="center",
                fontsize=SMALL)
    _legend(ax, 0.12, [(PALETTE.input, "rows this step changed", False),
                       (PALETTE.muted, "rows left alone (not sent)", False),
                       (_tint(PALETTE.input, 0.3), "rows sent unchanged", False)])
    return fig
