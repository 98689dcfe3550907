"""What metrics.json reports: the loss of the last epoch, as strict JSON."""

from __future__ import annotations

import dataclasses
import json

import pytest

from small_runs import SMALL
from w2v_lib.corpus import encode_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.train import main

CONFIG = FastConfig(dim=8, window=2, epochs=2, batch_size=64)


def every_batch_of_the_last_epoch(text_corpus, batch_size: int = 64) -> list[float]:
    """The reference: the same run with every batch's loss measured (measuring does not
    change the training), cut to the batches of its last epoch."""
    lines = text_corpus.read_text().splitlines()
    corpus = encode_corpus(lambda: (line.split() for line in lines if line.split()),
                           min_count=2)
    trainer = FastTrainer(corpus, dataclasses.replace(CONFIG, batch_size=batch_size))
    stats = trainer.train(progress=False, loss_every=1)
    return stats.epoch_losses


@pytest.mark.parametrize("batch_size", [64, 16])  # every batch; one in two
def test_the_loss_is_the_mean_over_the_last_epoch(tmp_path, text_corpus, batch_size):
    metrics = main(["--corpus", str(text_corpus), "--out", str(tmp_path / "run"), "--no-eval",
                    *SMALL, "--batch-size", str(batch_size)])
    losses = every_batch_of_the_last_epoch(text_corpus, batch_size)
    batches = len(losses)
    every = max(1, batches // 20)
    assert every == (1 if batch_size == 64 else 2)
    measured = losses[::every]
    assert metrics["last_epoch_loss_batches"] == len(measured) >= min(20, batches)
    assert metrics["last_epoch_loss"] == pytest.approx(sum(measured) / len(measured),
                                                       rel=1e-12)
    # what "final_loss" used to be: the last of one batch in fifty, before its update;
    # with fewer than fifty batches an epoch, the loss at the start of the last epoch
    old = losses[(batches - 1) // 50 * 50]
    assert abs(metrics["last_epoch_loss"] - old) > 1e-3, (metrics["last_epoch_loss"], old)
    # and the mean of the measured batches is close to the mean of all of them
    assert metrics["last_epoch_loss"] == pytest.approx(sum(losses) / batches, rel=0.05)


def test_a_run_resumed_inside_its_last_epoch_reports_the_same_loss(tmp_path, text_corpus):
    whole = main(["--corpus", str(text_corpus), "--out", str(tmp_path / "whole"), "--no-eval",
                  *SMALL])
    lines = text_corpus.read_text().splitlines()
    corpus = encode_corpus(lambda: (line.split() for line in lines if line.split()),
                           min_count=2)
    first = FastTrainer(corpus, CONFIG)
    batches = len(every_batch_of_the_last_epoch(text_corpus))
    # stop five batches into the second (last) epoch
    first.train(progress=False, checkpoint=tmp_path / "stopped" / "checkpoint.pt",
                stop_after=batches + 5)
    assert first.epoch == 1 and first.batch == 5
    resumed = main(["--corpus", str(text_corpus), "--out", str(tmp_path / "stopped"),
                    "--no-eval", *SMALL])
    assert resumed["last_epoch_loss"] == whole["last_epoch_loss"]
    assert resumed["last_epoch_loss_batches"] == whole["last_epoch_loss_batches"]


def test_metrics_are_strict_json(tmp_path, text_corpus):
    # these made-up words cover no analogy question and no word pair: no score exists
    out = tmp_path / "run"
    metrics = main(["--corpus", str(text_corpus), "--out", str(out), *SMALL])

    def refuse(constant):
        raise AssertionError(f"metrics.json holds {constant}, which is not JSON")

    written = json.loads((out / "metrics.json").read_text(), parse_constant=refuse)
    assert written["analogy_accuracy"] is None
    assert written["wordsim353"]["spearman"] is None
    assert written == metrics  # what main returns is what it wrote
