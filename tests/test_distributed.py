"""Tests of training on several processes (``w2v_lib.distributed``, appendix B): the
shards, one process against the fast trainer, two ``gloo`` processes against one, the
``torchrun`` command, a killed two-process run resumed, and the setup errors."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from small_runs import SMALL, wait_for_second_epoch
from w2v_lib import distributed
from w2v_lib.corpus import EncodedCorpus, encode_corpus
from w2v_lib.distributed import (DistributedSetupError, DistributedTrainer, average_bytes,
                                 backend_for, shard_bounds, shard_corpus, sparse_bytes)
from w2v_lib.fast_training import FastConfig, FastTrainer
from w2v_lib.train import main
from w2v_lib.vectors import WordVectors

TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent))


def free_port() -> int:
    """A port nobody listens on now (the system picks it), so tests never collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sentences_of(lengths: list[int]) -> torch.Tensor:
    return torch.repeat_interleave(torch.arange(len(lengths)), torch.tensor(lengths))


def brute_force_bounds(lengths: list[int], rank: int, world: int) -> tuple[int, int]:
    """Shard bounds by walking the sentences one by one."""
    total, starts, position = sum(lengths), [], 0
    for length in lengths:
        starts.append(position)
        position += length

    def first(r):
        if r == 0:
            return 0
        return next((s for s in starts if s * world >= r * total), total)

    return first(rank), (total if rank == world - 1 else first(rank + 1))


# --- shards ------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_shards_are_whole_sentences_that_cover_every_token_once(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 30) for _ in range(rng.randint(1, 60))]
    sentence = sentences_of(lengths)
    for world in range(1, min(len(lengths), 9) + 1):
        try:
            bounds = [shard_bounds(sentence, rank, world) for rank in range(world)]
        except ValueError as error:  # only when some sentence is longer than a share
            assert "would be empty" in str(error)
            assert max(lengths) * world > sum(lengths)
            continue
        assert bounds == [brute_force_bounds(lengths, r, world) for r in range(world)]
        assert bounds[0][0] == 0 and bounds[-1][1] == len(sentence)
        for (_, end), (start, _) in zip(bounds, bounds[1:]):
            assert end == start  # no gap, no overlap
        for start, end in bounds:
            assert start < end
            assert start == 0 or sentence[start] != sentence[start - 1]  # a sentence start


def test_more_processes_than_sentences_is_refused_with_advice():
    with pytest.raises(ValueError, match=r"3 sentences, fewer than the 4 processes.*"
                                         r"at most 3"):
        shard_bounds(sentences_of([2, 2, 2]), 0, 4)
    with pytest.raises(ValueError, match="rank must lie"):
        shard_bounds(sentences_of([2, 2]), 2, 2)


def small_corpus(sentences: int = 300, seed: int = 0) -> EncodedCorpus:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(40)]
    lines = [rng.choices(words, k=rng.randint(3, 20)) for _ in range(sentences)]
    return encode_corpus(lambda: lines, min_count=1)


def test_every_epoch_of_the_shards_trains_on_each_token_once():
    """Without subsampling, the tokens the shards' epochs train on are the corpus."""
    corpus = small_corpus()
    config = FastConfig(dim=4, sample=0, epochs=1)
    kept = []
    for rank in range(3):
        shard = shard_corpus(corpus, rank, 3)
        trainer = FastTrainer(shard, config)
        ids, _ = trainer._subsample(trainer._generator(0))
        before, after = trainer._padding
        kept.append(ids[before:len(ids) - after])
    assert torch.equal(torch.cat(kept), corpus.ids)


# --- one process ---------------------------------------------------------------------
@pytest.mark.parametrize("sync", ["sparse", "average"])
def test_one_process_trains_step_for_step_like_the_fast_trainer(sync):
    corpus = small_corpus()
    config = FastConfig(dim=8, window=2, epochs=2, batch_size=64)
    alone = FastTrainer(corpus, config)
    alone.train(progress=False)
    one = DistributedTrainer(corpus, config, sync=sync)
    one.train(progress=False)  # the hooks of several processes, with one
    assert (one.rank, one.world, one.bytes_sent) == (0, 1, 0)
    assert torch.equal(one.w_in, alone.w_in) and torch.equal(one.w_out, alone.w_out)
    assert one.stats.words == alone.stats.words


def test_bytes_per_step_follow_from_the_shapes():
    # a ring all_gather: each process passes on the other processes' messages
    assert sparse_bytes(rows=1000, dim=100, world=2) == 1000 * 101 * 4
    assert sparse_bytes(rows=1000, dim=100, world=8) == 7 * 1000 * 101 * 4
    assert sparse_bytes(rows=1000, dim=100, world=1) == 0
    # a ring all_reduce of both tables: 2 (N - 1) / N of their bytes
    assert average_bytes(10_000, 100, 2) == 2 * 10_000 * 100 * 4
    assert average_bytes(10_000, 100, 4) == round(1.5 * 2 * 10_000 * 100 * 4)


def test_touched_rows_counts_the_distinct_rows_of_a_step():
    corpus = small_corpus()
    trainer = FastTrainer(corpus, FastConfig(dim=4, window=2, batch_size=32, sample=0))
    rows = distributed.touched_rows(trainer, steps=5)
    # at most every row of both tables, at least the 32 centers' output rows
    assert 32 <= rows <= 2 * len(corpus.vocab)


# --- several processes -------------------------------------------------------------------
def planted_corpus(seed: int = 0) -> EncodedCorpus:
    """Sentences each drawn from one of 16 groups of 8 words: words of a group should
    end up near each other."""
    rng = random.Random(seed)
    lines = []
    for _ in range(1200):
        group = rng.randrange(16)
        lines.append([f"g{group}w{rng.randrange(8)}" for _ in range(rng.randint(5, 12))])
    return encode_corpus(lambda: lines, min_count=1)


def separation(vectors: torch.Tensor, vocab) -> float:
    """Mean cosine of a word with the words of its group, minus with the others."""
    unit = torch.nn.functional.normalize(vectors, dim=1)
    cosines = unit @ unit.T
    groups = torch.tensor([int(word[1:word.index("w")]) for word in vocab.decode(range(len(vocab)))])
    same = (groups[:, None] == groups[None, :]) & ~torch.eye(len(groups), dtype=torch.bool)
    other = groups[:, None] != groups[None, :]
    return float(cosines[same].mean() - cosines[other].mean())


QUALITY = FastConfig(dim=16, window=3, epochs=2, batch_size=64, sample=0, alpha=0.025)
SEEDS = (0, 1, 2)


def _two_process_runs(rank: int, world: int, port: int, out: str) -> None:
    """In each of ``world`` spawned processes: train the planted corpus with both
    schemes and every seed, and save what rank ``rank`` ended with."""
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    try:
        corpus = planted_corpus()
        results = {}
        for sync in ("sparse", "average"):
            for seed in SEEDS:
                config = FastConfig(**{**QUALITY.__dict__, "seed": seed})
                trainer = DistributedTrainer(corpus, config, sync=sync, average_every=4)
                trainer.train(progress=False)
                start, end = distributed.shard_bounds(corpus.sentence, rank, world)
                results[sync, seed] = {"w_in": trainer.w_in.clone(),
                                       "w_out": trainer.w_out.clone(),
                                       "words": trainer.stats.words,
                                       "bytes": trainer.bytes_sent, "shard": (start, end)}
            # stopped in the middle of the second epoch, resumed from rank 0's checkpoint
            config = FastConfig(**{**QUALITY.__dict__, "seed": SEEDS[0]})
            checkpoint = Path(out) / f"{sync}.pt"
            stopped = DistributedTrainer(corpus, config, sync=sync, average_every=4)
            stopped.train(progress=False, checkpoint=checkpoint, stop_after=110)
            dist.barrier()  # rank 0 has written it
            resumed = DistributedTrainer.resume(checkpoint, corpus, sync=sync,
                                                average_every=4)
            assert resumed.epoch == 1 and resumed.batch > 0
            resumed.train(progress=False)
            results[sync, "resumed"] = {"w_in": resumed.w_in.clone()}
        torch.save(results, Path(out) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    out = tmp_path_factory.mktemp("two")
    mp.spawn(_two_process_runs, args=(2, free_port(), str(out)), nprocs=2, join=True)
    return [torch.load(out / f"rank{r}.pt", weights_only=False) for r in range(2)]


@pytest.mark.parametrize("sync", ["sparse", "average"])
def test_two_processes_end_with_the_same_tables(two_processes, sync):
    for seed in SEEDS:
        first, second = (ranks[sync, seed] for ranks in two_processes)
        assert torch.equal(first["w_in"], second["w_in"])
        assert torch.equal(first["w_out"], second["w_out"])
        assert first["bytes"] > 0


@pytest.mark.parametrize("sync", ["sparse", "average"])
def test_two_processes_stopped_and_resumed_end_where_they_would_have(two_processes,
                                                                       sync):
    for ranks in two_processes:
        assert torch.equal(ranks[sync, "resumed"]["w_in"], ranks[sync, SEEDS[0]]["w_in"])


def test_two_processes_train_every_token_once_per_epoch(two_processes):
    corpus = planted_corpus()
    (a, b) = (ranks["sparse", 0] for ranks in two_processes)
    assert a["shard"][0] == 0 and a["shard"][1] == b["shard"][0]
    assert b["shard"][1] == len(corpus)
    # no subsampling: both count every token of the corpus, every epoch
    assert a["words"] == b["words"] == QUALITY.epochs * len(corpus)


@pytest.mark.parametrize("sync", ["sparse", "average"])
def test_two_processes_train_as_well_as_one(two_processes, sync):
    """Same total epochs, three seeds: the mean separation of two processes lies
    within the tolerance of one process's, which is three times the standard
    deviation of one process over the seeds, and at least 0.03 (one process reaches
    a separation of about 0.3, untrained vectors have about 0.02, and two processes
    averaging without the rate's factor of N stayed below 0.01)."""
    corpus = planted_corpus()
    alone, together = [], []
    for seed in SEEDS:
        config = FastConfig(**{**QUALITY.__dict__, "seed": seed})
        trainer = FastTrainer(corpus, config)
        trainer.train(progress=False)
        alone.append(separation(trainer.w_in, corpus.vocab))
        together.append(separation(two_processes[0][sync, seed]["w_in"], corpus.vocab))
    alone, together = torch.tensor(alone), torch.tensor(together)
    tolerance = max(3 * float(alone.std()), 0.03)
    untrained = separation(FastTrainer(corpus, QUALITY).w_in, corpus.vocab)
    assert float(alone.mean()) > untrained + 0.2  # the task is learnt at all
    assert abs(float(together.mean() - alone.mean())) <= tolerance, (alone, together)


# --- the command, under torchrun -------------------------------------------------------
def torchrun(processes: int, *arguments: str, **options) -> subprocess.Popen:
    if TORCHRUN is None:
        pytest.fail("torchrun is not installed next to this Python")
    command = [TORCHRUN, "--nproc_per_node", str(processes), "--rdzv-backend", "c10d",
               "--rdzv-endpoint", f"127.0.0.1:{free_port()}", "-m", "w2v_lib.train",
               *arguments]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **options)


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, from /proc (Linux). torchrun starts its
    workers in sessions of their own, so killing its process group misses them."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that just ended
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def kill_all(process: subprocess.Popen) -> None:
    """SIGKILL torchrun and every worker it started, as a crash of the machine would."""
    family = descendants(process.pid)
    for pid in [process.pid, *family]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_all(process)
        raise
    return process.returncode, stderr


def killable_corpus(path: Path) -> Path:
    rng = random.Random(2)
    words = [f"k{i}" for i in range(200)]
    path.write_text("\n".join(" ".join(rng.choices(words, k=20)) for _ in range(1000)))
    return path


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds workers in /proc")
def test_torchrun_two_processes_killed_mid_epoch_resume_to_an_uninterrupted_run(tmp_path):
    """The real command under the real torchrun (the default scheme, averaging, here
    every 2 steps): a two-process run, killed with SIGKILL (every process) in its
    second epoch, resumes to the vectors of a run never stopped, to the bit: the
    checkpoint holds the agreed tables and the position, and every process replays
    its own random draws up to there. (Both schemes are also stopped and resumed in
    the spawned processes above.)"""
    corpus = killable_corpus(tmp_path / "corpus.txt")
    arguments = ["--corpus", str(corpus), "--dim", "16", "--epochs", "2", "--batch-size",
                 "32", "--device", "cpu", "--no-eval", "--quiet", "--average-every", "2"]
    killed = tmp_path / "killed"
    process = torchrun(2, *arguments, "--out", str(killed), "--checkpoint-every", "0")
    checkpoint = killed / "checkpoint-2-processes.pt"
    try:
        wait_for_second_epoch(checkpoint, process, 90)
    finally:
        workers = descendants(process.pid)
        kill_all(process)
        process.communicate(timeout=30)
    assert len(workers) >= 2  # both workers were found, and killed with torchrun
    stamp = checkpoint.stat().st_mtime_ns
    time.sleep(0.5)  # a worker left running would write on; none may
    assert checkpoint.stat().st_mtime_ns == stamp
    assert not (killed / "vectors.txt").exists()
    assert torch.load(checkpoint, weights_only=True)["epoch"] < 2

    resumed = torchrun(2, *arguments, "--out", str(killed))
    whole = tmp_path / "whole"
    code, stderr = finish(resumed)
    assert code == 0, stderr
    code, stderr = finish(torchrun(2, *arguments, "--out", str(whole)))
    assert code == 0, stderr
    a = WordVectors.load(killed / "vectors.txt")
    b = WordVectors.load(whole / "vectors.txt")
    assert a.words == b.words and torch.equal(a.vectors, b.vectors)
    metrics = json.loads((whole / "metrics.json").read_text())
    assert metrics["processes"] == 2 and metrics["sync"] == "average"
    assert metrics["bytes_sent"] > 0
    assert not (whole / "checkpoint.pt").exists()  # one checkpoint, named for 2


def test_torchrun_refuses_more_processes_than_sentences(tmp_path):
    corpus = tmp_path / "two.txt"
    corpus.write_text("a b c a b\nc a b c a\n")
    code, stderr = finish(torchrun(3, "--corpus", str(corpus), "--min-count", "1",
                                   "--out", str(tmp_path / "out"), *SMALL[:-1]))
    assert code != 0
    assert "2 sentences, fewer than the 3 processes" in stderr
    assert "Run at most 2 processes" in stderr


def test_a_checkpoint_of_another_number_of_processes_is_not_resumed(tmp_path, text_corpus,
                                                                     capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "checkpoint-2-processes.pt").write_bytes(b"")
    with pytest.raises(SystemExit) as stop:
        main(["--corpus", str(text_corpus), "--out", str(out), *SMALL])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "checkpoint-2-processes.pt of a run with 2 process(es)" in error
    assert "--nproc_per_node" in error


def test_an_unavailable_backend_says_what_to_do(monkeypatch):
    assert backend_for("cpu") == "gloo"
    monkeypatch.setattr(dist, "is_backend_available", lambda name: False)
    with pytest.raises(DistributedSetupError, match=r"nccl backend.*--device cpu"):
        backend_for("cuda")
    with pytest.raises(DistributedSetupError, match=r"gloo backend.*distributed support"):
        backend_for("cpu")


def test_the_command_reports_an_unavailable_backend(tmp_path, text_corpus, capsys,
                                                    monkeypatch):
    monkeypatch.setattr(dist, "is_backend_available", lambda name: False)
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    with pytest.raises(SystemExit) as stop:
        main(["--corpus", str(text_corpus), "--out", str(tmp_path / "out"), *SMALL])
    assert stop.value.code == 2
    assert "gloo backend" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
