"""Tests of the command line ``python -m w2v_lib.train``: its outputs, resuming from a
checkpoint, its errors, and the WikiText-103 path through the downloader (served from
127.0.0.1)."""

from __future__ import annotations

import dataclasses
import json
import math
import signal
import random
import subprocess
import sys

import pytest
import torch
from gensim.models import KeyedVectors

from small_runs import SMALL, wait_for_second_epoch
from test_wikitext import Server, make_zip, sha256
from w2v_lib import wikitext
from w2v_lib.corpus import encode_corpus
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.train import main
from w2v_lib.vectors import WordVectors


def test_the_command_writes_vectors_and_metrics(tmp_path):
    # words of the evaluation sets, so that every score is defined (a made-up
    # vocabulary covers no question, and its scores are nan)
    words = ("athens greece baghdad iraq bangkok thailand beijing china berlin germany "
             "love sex tiger cat book paper computer keyboard old new smart intelligent "
             "hard difficult happy cheerful easy").split()
    rng = random.Random(0)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(rng.choices(words, k=rng.randint(3, 20)))
                                for _ in range(300)) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    metrics = main(["--corpus", str(corpus), "--out", str(out), *SMALL])
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "metrics.json",
                                                     "vectors.txt"]
    written = json.loads((out / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    assert written["corpus"]["vocabulary"] == len(words)
    assert_speed_agrees_with_time(written)
    assert written["effective_words"] == pytest.approx(
        2 * written["corpus"]["effective_words_per_epoch"], rel=0.05)
    # every value is a number in its range, not nan nor inf
    assert 0 < written["last_epoch_loss"] < 100 and math.isfinite(written["last_epoch_loss"])
    assert 0 < written["analogy_coverage"] <= 1
    assert 0 <= written["analogy_accuracy"] <= 1
    for name in ("wordsim353", "simlex999"):
        assert 0 < written[name]["coverage"] <= 1
        assert -1 <= written[name]["spearman"] <= 1
    keyed = KeyedVectors.load_word2vec_format(str(out / "vectors.txt"))
    assert len(keyed) == len(words) and keyed.vector_size == 8
    assert bool(torch.isfinite(torch.from_numpy(keyed.vectors)).all())


def assert_speed_agrees_with_time(metrics):
    """The speed a metrics file reports is its words over its seconds, whatever the
    duration: a check of consistency, not of a value that rounding could zero."""
    seconds, words = metrics["training_seconds"], metrics["effective_words"]
    assert seconds > 0 and words > 0
    assert metrics["words_per_second"] == pytest.approx(words / seconds, rel=1e-3, abs=1)


def test_a_very_short_run_still_reports_a_time_that_matches_its_speed(
        tmp_path, text_corpus, monkeypatch):
    # a run of a few milliseconds, as on a fast machine: its time must not round to 0
    train = FastTrainer.train

    def quick(self, *args, **kwargs):
        stats = train(self, *args, **kwargs)
        stats.seconds = 0.004
        return stats

    monkeypatch.setattr(FastTrainer, "train", quick)
    out = tmp_path / "run"
    main(["--corpus", str(text_corpus), "--out", str(out), "--no-eval", *SMALL])
    assert_speed_agrees_with_time(json.loads((out / "metrics.json").read_text()))


def test_a_run_resumed_by_the_command_ends_like_an_uninterrupted_one(tmp_path, text_corpus):
    whole = tmp_path / "whole"
    main(["--corpus", str(text_corpus), "--out", str(whole), "--no-eval", *SMALL])
    # an interrupted run: what the command leaves behind when killed mid-epoch
    stopped = tmp_path / "stopped"
    corpus = encode_corpus(lambda: (line.split() for line in open(text_corpus) if line.split()),
                           min_count=2)
    config = FastConfig(dim=8, window=2, epochs=2, batch_size=64)
    FastTrainer(corpus, config).train(progress=False, checkpoint=stopped / "checkpoint.pt",
                                      stop_after=7)
    main(["--corpus", str(text_corpus), "--out", str(stopped), "--no-eval", *SMALL])
    a = WordVectors.load(whole / "vectors.txt")
    b = WordVectors.load(stopped / "vectors.txt")
    assert a.words == b.words and torch.equal(a.vectors, b.vectors)


def test_binary_output(tmp_path, text_corpus):
    out = tmp_path / "run"
    main(["--corpus", str(text_corpus), "--out", str(out), "--binary", "--no-eval", *SMALL])
    keyed = KeyedVectors.load_word2vec_format(str(out / "vectors.bin"), binary=True)
    assert len(keyed) == 40


def test_resuming_with_other_settings_is_refused(tmp_path, text_corpus, capsys):
    out = tmp_path / "run"
    main(["--corpus", str(text_corpus), "--out", str(out), "--no-eval", *SMALL])
    with pytest.raises(SystemExit):
        main(["--corpus", str(text_corpus), "--out", str(out), "--no-eval", *SMALL,
              "--dim", "16"])
    assert "holds a run with other settings" in capsys.readouterr().err
    # --fresh starts again instead
    metrics = main(["--corpus", str(text_corpus), "--out", str(out), "--no-eval", *SMALL,
                    "--dim", "16", "--fresh"])
    assert metrics["settings"]["dim"] == 16


def test_wikitext_103_is_downloaded_verified_and_trained_on(tmp_path, monkeypatch):
    """The WikiText-103 path end to end, with a small zip laid out like the real one,
    served from 127.0.0.1 in place of the real host."""
    rng = random.Random(1)
    words = [f"t{i}" for i in range(30)]
    paragraphs = "\n".join(" " + " ".join(rng.choices(words, k=15)) + " " for _ in range(200))
    body = make_zip({f"wikitext-103/wiki.{split}.tokens": f" = Title = \n{paragraphs}\n"
                     for split in wikitext.SPLITS})
    server = Server()
    try:
        url = server.serve("/wikitext-103-v1.zip", body)
        real = wikitext.ARCHIVES["wikitext-103"]
        monkeypatch.setitem(wikitext.ARCHIVES, "wikitext-103", dataclasses.replace(
            real,
            urls=(url,), sha256=sha256(body), size=len(body)))
        monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        metrics = main(["--corpus", "wikitext-103", "--out", str(tmp_path / "run"),
                        "--no-eval", *SMALL])
    finally:
        server.close()
    assert metrics["corpus"]["tokens"] == 200 * 15
    assert (tmp_path / "data" / "wikitext-103" / "wiki.train.tokens").is_file()


def test_the_module_runs_as_a_program(tmp_path, text_corpus):
    result = subprocess.run(
        [sys.executable, "-m", "w2v_lib.train", "--corpus", str(text_corpus), "--out",
         str(tmp_path / "run"), "--no-eval", *SMALL[:-1]],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stderr and "words/s" in result.stderr
    result = subprocess.run([sys.executable, "-m", "w2v_lib.train", "--epochs", "0"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--epochs" in result.stderr


def test_a_process_killed_mid_epoch_resumes_to_the_same_vectors(tmp_path):
    """A real kill: the command runs in its own process, saving a checkpoint after
    every batch, and is killed with SIGKILL in the middle of the run."""
    rng = random.Random(2)
    words = [f"k{i}" for i in range(200)]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(rng.choices(words, k=20)) for _ in range(3000)))
    arguments = ["--corpus", str(corpus), "--dim", "16", "--epochs", "3", "--batch-size", "32",
                 "--device", "cpu", "--no-eval", "--quiet", "--threads", "1"]
    command = [sys.executable, "-m", "w2v_lib.train", *arguments]
    killed = tmp_path / "killed"
    process = subprocess.Popen([*command, "--out", str(killed), "--checkpoint-every", "0"])
    checkpoint = killed / "checkpoint.pt"
    try:
        wait_for_second_epoch(checkpoint, process, 60)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL  # killed, not finished
    assert not (killed / "vectors.txt").exists()
    state = torch.load(checkpoint, weights_only=True)  # whole, despite the kill
    assert state["epoch"] < 3

    resumed = subprocess.run([*command, "--out", str(killed)], capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run([*command, "--out", str(tmp_path / "whole")], capture_output=True,
                           text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    a = WordVectors.load(killed / "vectors.txt")
    b = WordVectors.load(tmp_path / "whole" / "vectors.txt")
    assert a.words == b.words and torch.equal(a.vectors, b.vectors)


def test_a_diverging_run_exits_with_an_error_and_writes_no_vectors_or_metrics(
        tmp_path, text_corpus, capsys):
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as caught:
        main(["--corpus", str(text_corpus), "--out", str(out), *SMALL,
              "--update", "summed", "--alpha", "100"])
    assert caught.value.code == 1
    error = capsys.readouterr().err
    assert "Training diverged" in error and "alpha 100 with batch_size 64" in error
    assert not (out / "vectors.txt").exists() and not (out / "metrics.json").exists()
