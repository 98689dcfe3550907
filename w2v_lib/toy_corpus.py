"""The toy corpus of the first chapters (chapter 1).

Thirty-odd short sentences written for this course, small enough to print on one
screen, yet with the regularities word2vec feeds on: kings and queens, cats and dogs,
capitals and their countries appear in the same kinds of contexts.
"""

from __future__ import annotations

from importlib import resources

from .tokenizer import tokenize

__all__ = ["load_toy_corpus"]


def load_toy_corpus(tokenized: bool = True) -> list[list[str]] | list[str]:
    """Return the toy corpus, one sentence per item.

    Introduced in chapter 1. With ``tokenized=True`` (the default) each sentence is a
    list of tokens from :func:`w2v_lib.tokenizer.tokenize`; with ``tokenized=False``
    each is the sentence as written.
    """
    text = resources.files(__package__).joinpath("toy_corpus.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if tokenized:
        return [tokenize(line) for line in lines]
    return lines
