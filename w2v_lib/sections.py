"""WikiText paragraphs labelled by the section they sit under (chapter 9).

Every WikiText article is split into sections by its editors, with headings such as
"Plot", "Reception", "History" or "Early life". A paragraph's section heading is a real
label written by people, and it says something about the paragraph's content: a
"Reception" paragraph quotes critics, a "Plot" paragraph tells a story. That makes
WikiText a labelled data set for text classification that is available offline: the
task is to guess the heading from the paragraph.

In the files, headings are lines of their own: ``= Title =`` for an article,
``= = Plot = =`` for a section, ``= = = Casting = = =`` for a subsection. A paragraph
gets the heading of the section (level 2) it sits in, whatever subsection it is in;
the paragraphs before an article's first section (its lead) get none and are left out.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .wikitext import wikitext_path

__all__ = ["LabelledParagraph", "heading", "labelled_paragraphs", "most_common_sections"]


@dataclass(frozen=True)
class LabelledParagraph:
    """One paragraph, the article it belongs to and the heading of its section.

    Introduced in chapter 9.
    """

    article: str
    section: str
    tokens: list[str]


def heading(line: str) -> tuple[int, str] | None:
    """The level and the text of a heading line, or ``None`` for any other line.

    Introduced in chapter 9. ``" = = Early life = = "`` is ``(2, "Early life")``.
    """
    parts = line.split()
    if len(parts) < 3 or parts[0] != "=" or parts[-1] != "=":
        return None
    level = 0
    while level < len(parts) and parts[level] == "=":
        level += 1
    # a heading is closed by as many "=" as open it
    if level * 2 >= len(parts) or parts[-level:] != ["="] * level:
        return None
    return level, " ".join(parts[level:-level])


def _paragraphs(lines: Iterable[str], source: str, lowercase: bool) -> list[LabelledParagraph]:
    paragraphs: list[LabelledParagraph] = []
    article, section = None, None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        found = heading(text)
        if found is not None:
            level, title = found
            if lowercase:
                title = title.lower()
            if level == 1:
                article, section = title, None
            elif level == 2:
                section = title
            continue
        if section is None:  # an article's lead, or text before the first article
            continue
        if article is None:
            raise ValueError(f"{source}, line {number}: a section heading came before any "
                             "article title ('= Title ='); is this a WikiText file?")
        paragraphs.append(LabelledParagraph(article, section,
                                            (text.lower() if lowercase else text).split()))
    return paragraphs


def labelled_paragraphs(name: str = "wikitext-2", split: str = "train",
                        lowercase: bool = True,
                        path: str | os.PathLike | None = None) -> list[LabelledParagraph]:
    """Every paragraph of a WikiText split that sits in a section, with its label.

    Introduced in chapter 9. ``name`` and ``split`` are those of
    :func:`w2v_lib.wikitext.wikitext_path` (downloaded if needed); ``path`` reads
    another file in the same layout instead. Headings are lowercased with the text.
    """
    source = Path(path) if path is not None else wikitext_path(name, split)
    with open(source, encoding="utf-8") as lines:
        paragraphs = _paragraphs(lines, str(source), lowercase)
    if not paragraphs:
        raise ValueError(f"{source}: no paragraph under a section heading ('= = Heading = =') "
                         "was found; is this a WikiText file?")
    return paragraphs


def most_common_sections(paragraphs: Sequence[LabelledParagraph], k: int,
                         exclude: Iterable[str] = ("<unk>",)) -> list[str]:
    """The ``k`` headings with the most paragraphs, most common first (ties by name).

    Introduced in chapter 9. Choose them on the training split only, so that the test
    splits play no part in setting up the task. Headings in ``exclude`` are skipped:
    by default ``"<unk>"``, a heading whose only word was too rare for WikiText's
    vocabulary, which is no label at all.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    banned = set(exclude)
    counts = Counter(p.section for p in paragraphs if p.section not in banned)
    if len(counts) < k:
        raise ValueError(f"asked for {k} sections, but the paragraphs have only "
                         f"{len(counts)} distinct headings.")
    return [s for s, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]]
