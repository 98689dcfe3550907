"""The VADER lexicon: read from the installed package as data, each mean equal to the
mean of its ten ratings, and malformed lines named."""

import statistics
import sys

import pytest

from w2v_lib.sentiment_lexicon import load_vader_lexicon, parse_vader_lexicon


def test_the_installed_lexicon():
    entries = load_vader_lexicon(words_only=False)
    assert len(entries) > 7000
    words = load_vader_lexicon()
    assert 7000 < len(words) < len(entries)
    by_word = {e.word: e for e in words}
    assert by_word["good"].mean > 1 and by_word["terrible"].mean < -1
    assert ":)" not in by_word and ":)" in {e.word for e in entries}
    # the file's mean is the mean of the ten ratings, rounded (one entry, 'lmfao', is
    # off by 0.1 in the original file)
    off = [e.word for e in entries if abs(statistics.mean(e.ratings) - e.mean) > 0.051]
    assert off == ["lmfao"]
    assert all(len(e.ratings) == 10 for e in entries)


def test_reading_it_does_not_import_the_analyser():
    sys.modules.pop("vaderSentiment.vaderSentiment", None)
    load_vader_lexicon()
    assert "vaderSentiment.vaderSentiment" not in sys.modules


def test_parse_and_errors():
    text = "good\t1.9\t0.9434\t[2, 1, 1, 3, 2, 4, 2, 2, 1, 1]\n\nbad\t-2.5\t0.5\t[-2, -3]\n"
    entries = parse_vader_lexicon(text)
    assert [(e.word, e.mean, e.ratings[:2]) for e in entries] == [("good", 1.9, (2, 1)), ("bad", -2.5, (-2, -3))]
    for line in ["good 1.9 0.9 [1]", "good\tx\t0.9\t[1]", "good\t1.9\t0.9\t[1, 9]", "good\t1.9\t0.9\t[1,"]:
        with pytest.raises(ValueError, match=r"line 2: expected 'word<TAB>mean"):
            parse_vader_lexicon("ok\t1\t0\t[1]\n" + line)
    with pytest.raises(ValueError, match="holds no entries"):
        parse_vader_lexicon("\n")


def test_missing_package_says_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "vaderSentiment" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="pip install vaderSentiment"):
        load_vader_lexicon()
