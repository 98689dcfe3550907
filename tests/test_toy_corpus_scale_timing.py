import pytest
import torch

from w2v_lib.scale import current_scale
from w2v_lib.tokenizer import tokenize
from w2v_lib.toy_corpus import load_toy_corpus


def test_toy_corpus_is_small_and_tokenized():
    lines = load_toy_corpus(tokenized=False)
    sentences = load_toy_corpus()
    assert len(lines) == len(sentences) >= 20
    assert sentences == [tokenize(line) for line in lines]
    assert 200 < sum(map(len, sentences)) < 1000  # small enough to print
    assert all(s[-1] in {".", "!", "?"} for s in sentences)


@pytest.mark.parametrize("name", ["test", "cpu", "TEST", " cpu "])
def test_scale_from_environment(monkeypatch, name):
    monkeypatch.setenv("W2V_SCALE", name)
    scale = current_scale()
    assert scale.name == name.strip().lower()
    assert scale.device == torch.device("cpu")
    assert scale.pick(test=1, cpu=2, gpu=3) == {"test": 1, "cpu": 2}[scale.name]


def test_unset_scale_follows_the_device(monkeypatch):
    monkeypatch.delenv("W2V_SCALE", raising=False)
    expected = "gpu" if torch.cuda.is_available() else "cpu"
    assert current_scale().name == expected


def test_unknown_scale_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("W2V_SCALE", "huge")
    with pytest.raises(ValueError, match="'huge'.*test, cpu, gpu"):
        current_scale()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_gpu_scale_without_gpu_says_what_to_do(monkeypatch):
    monkeypatch.setenv("W2V_SCALE", "gpu")
    with pytest.raises(RuntimeError, match="W2V_SCALE=cpu"):
        current_scale()


def test_median_seconds_measures_sleep_and_counts_calls():
    import time

    from w2v_lib.timing import median_seconds

    calls = []

    def work():
        calls.append(1)
        time.sleep(0.01)

    seconds = median_seconds(work, repeats=3, warmup=2)
    assert len(calls) == 5
    assert 0.009 < seconds < 0.5


def test_median_seconds_rejects_zero_repeats():
    from w2v_lib.timing import median_seconds

    with pytest.raises(ValueError, match="at least 1"):
        median_seconds(lambda: None, repeats=0)
