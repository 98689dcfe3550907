import random
from collections import Counter

import pytest

from w2v_lib.toy_corpus import load_toy_corpus
from w2v_lib.vocab import UNK, EmptyVocabularyError, Vocab


def brute_force_order(tokens, min_count):
    """The order Vocab promises, computed the slow, obvious way."""
    counts = Counter(tokens)
    kept = [w for w in counts if counts[w] >= min_count]
    return sorted(kept, key=lambda w: (-counts[w], w))


def test_order_is_by_count_then_alphabetical():
    vocab = Vocab.from_tokens("b a c a b a d".split())
    assert vocab.itos == [UNK, "a", "b", "c", "d"]
    assert vocab.counts == [0, 3, 2, 1, 1]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("min_count", [1, 2, 3])
def test_matches_brute_force_on_random_corpora(seed, min_count):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(30)]
    tokens = [rng.choice(words[: rng.randint(5, 30)]) for _ in range(300)]
    vocab = Vocab.from_tokens(tokens, min_count=min_count)
    expected = brute_force_order(tokens, min_count)
    assert vocab.itos == [UNK] + expected
    counts = Counter(tokens)
    assert vocab.counts[1:] == [counts[w] for w in expected]
    # <unk> stands for every token that was cut, so all counts add up to the corpus size
    assert vocab.total == len(tokens)
    assert vocab.count(UNK) == sum(n for w, n in counts.items() if n < min_count)


def test_sentences_and_flat_tokens_give_the_same_vocab():
    sentences = load_toy_corpus()
    flat = [t for s in sentences for t in s]
    assert Vocab.from_tokens(sentences).itos == Vocab.from_tokens(flat).itos


def test_max_size_keeps_the_most_frequent_words():
    vocab = Vocab.from_tokens("a a a b b c d".split(), max_size=2)
    assert vocab.itos == [UNK, "a", "b"]
    assert vocab.count(UNK) == 2


def test_unk_already_in_the_text_is_merged():
    vocab = Vocab.from_tokens("the <unk> sat on the <unk> rare".split(), min_count=2)
    assert vocab.itos == [UNK, "the"]
    assert vocab.count(UNK) == 5  # two <unk> in the text, and sat, on, rare


def test_encode_decode_round_trip():
    sentences = load_toy_corpus()
    vocab = Vocab.from_tokens(sentences)
    for sentence in sentences:
        assert vocab.decode(vocab.encode(sentence)) == sentence


def test_unknown_words_map_to_unk():
    vocab = Vocab.from_tokens("the cat sat".split())
    assert vocab.encode(["the", "dog"]) == [vocab["the"], vocab.unk_index]
    assert vocab.unk_index == 0
    assert "dog" not in vocab and "cat" in vocab
    assert vocab.count("dog") == 0


def test_drop_unknown_skips_them():
    vocab = Vocab.from_tokens("the cat sat".split(), unk=None)
    assert vocab.encode(["the", "dog", "sat"], drop_unknown=True) == [vocab["the"], vocab["sat"]]


def test_no_unk_vocab_has_only_real_words():
    vocab = Vocab.from_tokens("b a b".split(), unk=None)
    assert vocab.itos == ["b", "a"] and vocab.unk_index is None


# --- bad input: each error says what went wrong and what to do ---------------------


@pytest.mark.parametrize("corpus", [[], [[], []]])
def test_empty_corpus_is_a_clear_error(corpus):
    with pytest.raises(ValueError, match="empty corpus.*tokenized"):
        Vocab.from_tokens(corpus)


def test_min_count_that_removes_every_word_says_how_low_to_go():
    with pytest.raises(ValueError, match=r"min_count=10 removes every word.*'the'.*3 time.*at most 3"):
        Vocab.from_tokens("the cat the dog the end".split(), min_count=10)


def test_unknown_word_without_unk_names_it_and_suggests():
    vocab = Vocab.from_tokens("the king and the queen".split(), unk=None)
    with pytest.raises(KeyError) as info:
        vocab.encode(["the", "kinng"])
    message = str(info.value)
    assert "'kinng' is not in the vocabulary" in message
    assert "Did you mean 'king'" in message
    assert "unk='<unk>'" in message and "drop_unknown=True" in message


@pytest.mark.parametrize("kwargs", [{"min_count": 0}, {"max_size": 0}])
def test_out_of_range_settings(kwargs):
    with pytest.raises(ValueError, match="must be at least 1"):
        Vocab.from_tokens(["a"], **kwargs)


def test_encode_of_a_string_says_to_tokenize_first():
    vocab = Vocab.from_tokens(["a"])
    with pytest.raises(TypeError, match="tokenize it first"):
        vocab.encode("a b")


def test_decode_out_of_range_index():
    vocab = Vocab.from_tokens(["a", "b"])
    with pytest.raises(IndexError, match="valid indices are 0 to 2"):
        vocab.decode([3])


# --- odd input: a string, untokenized lines, a corpus of nothing but <unk> -----------


def test_from_tokens_of_a_string_says_to_tokenize_first():
    with pytest.raises(TypeError, match=r"not a string; tokenize it first: "
                                        r"Vocab.from_tokens\(tokenize\(text\)\)"):
        Vocab.from_tokens("hello world")


@pytest.mark.parametrize("tokens", [["hello world", "again"], [["the cat", "sat"]],
                                    [["the", ""]], [["a", "tab\there"]]])
def test_tokens_that_are_lines_of_text_are_refused(tokens):
    with pytest.raises(ValueError, match="holds white space: tokens are single words"):
        Vocab.from_tokens(tokens)


@pytest.mark.parametrize("min_count", [1, 3])
def test_a_corpus_of_only_unk_gets_advice_that_can_be_followed(min_count):
    with pytest.raises(EmptyVocabularyError) as error:
        Vocab.from_tokens(["<unk>", "<unk>", "<unk>"], min_count=min_count)
    message = str(error.value)
    assert "Every token of the corpus is the unknown-word token '<unk>' (3 of them)" in message
    assert "Lower min_count" not in message  # min_count is not what is wrong


def test_an_empty_vocabulary_is_one_kind_of_error_for_every_cause():
    for tokens, kwargs in [([], {}), (["a", "b"], {"min_count": 2}), (["<unk>"], {})]:
        with pytest.raises(EmptyVocabularyError):
            Vocab.from_tokens(tokens, **kwargs)
    assert issubclass(EmptyVocabularyError, ValueError)  # as it was before it had a name
