import pytest

from w2v_lib.tokenizer import tokenize


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("The cat sat.", ["the", "cat", "sat", "."]),
        ("Hello, World!", ["hello", ",", "world", "!"]),
        ("Don't stop; the king's horse (white) ran.",
         ["don't", "stop", ";", "the", "king's", "horse", "(", "white", ")", "ran", "."]),
        ("It cost 3.5 euros, or 1,000 cents?", ["it", "cost", "3.5", "euros", ",", "or", "1,000", "cents", "?"]),
        ("the <unk> ran", ["the", "<unk>", "ran"]),
        ("a  b\n\tc", ["a", "b", "c"]),
        ("", []),
        ("   ", []),
        ("Größe ÉTÉ", ["größe", "été"]),
        ('"quoted"', ['"', "quoted", '"']),
        ("end...", ["end", ".", ".", "."]),
    ],
)
def test_tokenize_examples(text, tokens):
    assert tokenize(text) == tokens


def test_tokenize_lowercases_and_keeps_no_whitespace():
    tokens = tokenize("The QUICK brown Fox,\njumps!")
    assert all(t == t.lower() and t.strip() == t and t for t in tokens)


def test_tokenize_rejects_non_strings_with_advice():
    with pytest.raises(TypeError, match="once per line"):
        tokenize(["a list", "of lines"])
