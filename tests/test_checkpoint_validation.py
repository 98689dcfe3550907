"""A damaged checkpoint is refused with a CheckpointError that names the bad field,
never resumed into a run (or a vectors file) that only looks right."""

from __future__ import annotations

import math
import random

import pytest
import torch

from w2v_lib.corpus import encode_corpus
from w2v_lib.fast_training import FORMAT_VERSION, CheckpointError, FastConfig, FastTrainer

CONFIG = FastConfig(dim=6, window=2, epochs=2, batch_size=16, seed=3)


@pytest.fixture(scope="module")
def corpus():
    rng = random.Random(4)
    words = [f"w{i}" for i in range(25)]
    sentences = [rng.choices(words, k=rng.randint(2, 15)) for _ in range(80)]
    return encode_corpus(lambda: iter(sentences), min_count=1)


@pytest.fixture(scope="module")
def states(corpus, tmp_path_factory):
    """A checkpoint saved inside the first epoch, and one of a finished run."""
    folder = tmp_path_factory.mktemp("checkpoints")
    FastTrainer(corpus, CONFIG).train(progress=False, checkpoint=folder / "mid.pt", stop_after=3)
    FastTrainer(corpus, CONFIG).train(progress=False, checkpoint=folder / "end.pt")
    return {name: torch.load(folder / f"{name}.pt", weights_only=True) for name in ("mid", "end")}


def damaged(states, which, change):
    state = {key: (dict(value) if isinstance(value, dict) else value)
             for key, value in states[which].items()}
    change(state)
    return state


def setting(name, value):
    return lambda state: state["config"].__setitem__(name, value)


def field(name, value):
    return lambda state: state.__setitem__(name, value)


def stat(name, value):
    return lambda state: state["stats"].__setitem__(name, value)


DAMAGES = [
    # which checkpoint, what is done to it, the field the error must name, and a phrase
    ("end", field("w_in", torch.zeros(25, 7)), "w_in", r"shape \(25, 7\); this run needs "
                                                       r"float32 of shape \(25, 6\)"),
    ("mid", field("w_out", torch.zeros(24, 6)), "w_out", r"shape \(24, 6\)"),
    ("mid", field("w_in", torch.zeros(25, 6, dtype=torch.float64)), "w_in", "torch.float64"),
    ("mid", field("w_in", torch.full((25, 6), math.nan)), "w_in", "NaN or infinite"),
    ("mid", field("w_out", [[0.0] * 6] * 25), "w_out", "should be a tensor, got list"),
    ("mid", lambda s: s.pop("generator"), "generator", "is missing"),
    ("mid", lambda s: s.pop("stats"), "stats", "is missing"),
    ("mid", field("optimizer", {}), "optimizer", "is not one this trainer writes"),
    ("mid", lambda s: s["config"].pop("seed"), "config", "lacks the setting 'seed'"),
    ("mid", setting("learning_rate", 0.1), "config", "unknown setting 'learning_rate'"),
    ("mid", setting("window", 0), "config", "window must be an integer of at least 1"),
    ("mid", setting("sample", "often"), "config", "cannot be used"),
    ("mid", field("config", [1, 2]), "config", "should be a dict"),
    ("mid", field("corpus", {"tokens": 3}), "corpus", "should hold the whole numbers"),
    ("mid", field("epoch", -1), "epoch", "whole number from 0 to 2"),
    ("mid", field("epoch", 3), "epoch", "whole number from 0 to 2"),
    ("mid", field("epoch", "0"), "epoch", "is '0'"),
    ("mid", field("batch", -2), "batch", "is -2"),
    ("mid", field("batch", 10**6), "batch", "batches of an epoch of this corpus"),
    ("end", field("batch", 1), "batch", "from 0 to 0"),
    ("mid", field("words_done", math.nan), "words_done", "not a number of words"),
    ("mid", field("words_done", "many"), "words_done", "not a number of words"),
    ("mid", field("generator", torch.zeros(10, dtype=torch.uint8)), "generator",
     "not the state of a random generator"),
    ("mid", field("generator", "state"), "generator", "not the state of a random generator"),
    ("mid", field("generator", None), "generator", "stopped inside an epoch"),
    ("mid", stat("losses", [[1, "x"]]), "stats", "not lists of numbers"),
    ("mid", stat("epoch_losses", None), "stats", "not lists of numbers"),
    ("mid", stat("seconds", -1.0), "stats", "not a non-negative number"),
    ("mid", lambda s: s["stats"].pop("epoch_losses"), "stats", "should hold words, seconds"),
]


@pytest.mark.parametrize("which, change, name, phrase", DAMAGES,
                         ids=[f"{d[2]}-{i}" for i, d in enumerate(DAMAGES)])
def test_a_damaged_checkpoint_names_its_bad_field(corpus, states, tmp_path, which, change,
                                                  name, phrase):
    path = tmp_path / "checkpoint.pt"
    torch.save(damaged(states, which, change), path)
    with pytest.raises(CheckpointError, match=rf"the field '{name}' of the checkpoint .*"
                                              rf"{phrase}") as error:
        FastTrainer.resume(path, corpus)
    assert "delete it to start the run afresh" in str(error.value)


@pytest.mark.parametrize("which", ["mid", "end"])
def test_an_undamaged_checkpoint_still_resumes(corpus, states, tmp_path, which):
    path = tmp_path / "checkpoint.pt"
    torch.save(damaged(states, which, lambda state: None), path)
    trainer = FastTrainer.resume(path, corpus)
    assert trainer.finished == (which == "end")
    trainer.train(progress=False)
    assert trainer.finished


def test_an_old_format_is_refused_by_its_number(corpus, states, tmp_path):
    path = tmp_path / "checkpoint.pt"
    torch.save(damaged(states, "mid", field("format", 1)), path)
    with pytest.raises(CheckpointError, match=f"format 1, expected {FORMAT_VERSION}"):
        FastTrainer.resume(path, corpus)
