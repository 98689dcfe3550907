import random
import unicodedata

import pytest

from w2v_lib.tokenizer import normalize, tokenize
from w2v_lib.toy_corpus import load_toy_corpus


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


# --- odd text: one word however its characters were typed -------------------------


@pytest.mark.parametrize("text, tokens", [
    ("cafe\u0301 au lait", ["café", "au", "lait"]),  # NFD accent: one token, NFC
    ("zero\u200bwidth space", ["zerowidth", "space"]),  # zero-width space dropped
    ("soft\u00adhyphen", ["softhyphen"]),  # soft hyphen dropped
    ("\ufeffbyte order mark", ["byte", "order", "mark"]),  # BOM dropped
    ("left\u200eto\u200fright", ["lefttoright"]),  # direction marks dropped
    ("heart \u2764\ufe0f!", ["heart", "\u2764", "!"]),  # variation selector dropped
    ("a\u200db", ["ab"]),  # zero-width joiner dropped
    ("\u0939\u093f\u0928\u094d\u0926\u0940 text", ["\u0939\u093f\u0928\u094d\u0926\u0940", "text"]),
    ("q\u0303 x", ["q\u0303", "x"]),  # a mark with no composed form stays in its word
    ("CAFÉ Café", ["café", "café"]),
    ("don\u2019t stop", ["don\u2019t", "stop"]),
])
def test_odd_text_is_normalised(text, tokens):
    assert tokenize(text) == tokens


def test_nfd_and_nfc_spellings_give_the_same_tokens():
    text = "Café, naïve résumé; Ångström über São Paulo. Ελληνικά ἄλφα"
    nfc, nfd = (unicodedata.normalize(form, text) for form in ("NFC", "NFD"))
    assert nfc != nfd  # two different strings...
    assert tokenize(nfd) == tokenize(nfc)  # ...one list of tokens
    assert tokenize(nfc) == [unicodedata.normalize("NFC", t) for t in tokenize(nfc)]


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\ufe0f", "\u200e"]
MARKS = ["\u0301", "\u0308", "\u0327", "\u0303"]


@pytest.mark.parametrize("seed", range(30))
def test_no_token_holds_an_invisible_character_or_is_a_stray_mark(seed):
    rng = random.Random(seed)
    # letters that may carry marks, invisible characters anywhere, punctuation, spaces
    pieces = []
    for _ in range(40):
        kind = rng.random()
        if kind < 0.5:
            pieces.append(rng.choice("abcdeé") + "".join(rng.sample(MARKS, rng.randint(0, 2))))
        elif kind < 0.7:
            pieces.append(rng.choice(INVISIBLE))
        else:
            pieces.append(rng.choice([" ", " ", ".", ",", "'", "3.5", "<unk>"]))
    text = "".join(pieces)
    tokens = tokenize(text)
    for token in tokens:
        assert not any(unicodedata.category(ch) == "Cf" for ch in token), (text, token)
        assert not any(ch in INVISIBLE for ch in token), (text, token)
        # every mark here follows a letter, so none may start a token
        assert unicodedata.category(token[0])[0] != "M", (text, token)
    # nothing is lost but white space and invisible characters
    kept = "".join(ch for ch in text if ch not in INVISIBLE and not ch.isspace())
    assert "".join(tokens) == unicodedata.normalize("NFC", kept.lower())
    # inserting invisible characters between the letters of a word changes nothing
    assert tokens == tokenize("".join(ch for ch in text if ch not in INVISIBLE))


def test_ascii_text_is_tokenized_exactly_as_before():
    # the fast path and the Unicode path agree wherever both apply
    from w2v_lib.tokenizer import TOKEN_PATTERN, _unicode_tables

    _, pattern = _unicode_tables()
    for line in load_toy_corpus(tokenized=False) + ["It cost 3.5 euros, or 1,000 cents?"]:
        assert pattern.findall(line.lower()) == TOKEN_PATTERN.findall(line.lower())


def test_normalize_keeps_what_a_character_is():
    # NFC, not NFKC: ligatures, full-width letters and superscripts stay as they are
    assert normalize("ﬁne Ｈｉ x²") == "ﬁne Ｈｉ x²"
    assert normalize("e\u0301\u200b") == "é"
    assert normalize("plain") == "plain"
