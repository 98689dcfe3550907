"""The GPU speeds that chapter 7 and bench/results/gpu_h100.md quote are those of the
stored runs: every row of their tables, and the figures their prose takes from them,
are recomputed here from the runs' JSON files."""

import json
import re
import statistics
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CHAPTER_7 = ROOT / "chapters" / "07_training_fast.ipynb"


def load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def measured_rows() -> list[str]:
    """The rows of the measured-against-model table, formatted from gpu_h100.json."""
    rows = []
    for row in load("gpu_h100.json")["rows"]:
        speeds = [run["words_per_second"] for run in row["runs"]]
        median = statistics.median(speeds)
        predicted = row["predicted"]
        rows.append(
            f"| {row['model']} | {row['dim']} | {row['batch_size']:,} | "
            f"{median / 1e6:.2f} [{min(speeds) / 1e6:.2f}, {max(speeds) / 1e6:.2f}] | "
            f"{row['batch_size'] / median * 1e3:.2f} | {predicted / 1e6:.2f} | "
            f"{median / predicted:.2f} |")
    return rows


def gensim_rows() -> list[str]:
    """The rows of the GPU-against-gensim table, from speed_gpu_h100_sgns.json."""
    rows = []
    for result in load("speed_gpu_h100_sgns.json")["results"]:
        runs = result["runs"]

        def median(name):
            return statistics.median(r[name]["words_per_second"] for r in runs) / 1e6

        def mean_sd(name, key, scale, digits):
            values = [r[name][key] * scale for r in runs]
            return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"

        ratios = [r["ours"]["words_per_second"] / r["gensim"]["words_per_second"]
                  for r in runs]
        rows.append(
            f"| {result['model']} | {result['dim']} | {result['batch_size']:,} | "
            f"{median('ours'):.2f} | {median('gensim'):.2f} | "
            f"{statistics.median(ratios):.1f} [{min(ratios):.1f}, {max(ratios):.1f}] | "
            f"{mean_sd('ours', 'analogy', 100, 2)} | {mean_sd('gensim', 'analogy', 100, 2)} | "
            f"{mean_sd('ours', 'ws353', 1, 3)} | {mean_sd('gensim', 'ws353', 1, 3)} |")
    return rows


def table_rows(text: str, header_start: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def chapter_markdown() -> str:
    notebook = nbformat.read(CHAPTER_7, as_version=4)
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


MEASURED_HEADER = "| model | d | centers per step | measured (M words/s) |"


def test_the_results_file_holds_every_measured_row_as_stored():
    text = (RESULTS / "gpu_h100.md").read_text(encoding="utf-8")
    assert table_rows(text, MEASURED_HEADER) == measured_rows()
    assert table_rows(text, "| model | d | centers per step | ours | gensim |") == gensim_rows()


def test_the_chapter_quotes_the_measured_skipgram_rows_as_stored():
    skipgram = [row for row in measured_rows() if row.startswith("| sgns |")]
    assert table_rows(chapter_markdown(), MEASURED_HEADER) == skipgram


def test_the_measurement_is_unlike_any_stub():
    # three repeats each, with speeds that differ (a copied figure would not)
    for row in load("gpu_h100.json")["rows"]:
        speeds = [run["words_per_second"] for run in row["runs"]]
        assert len(speeds) == 3 and len(set(speeds)) == 3
        for run in row["runs"]:
            assert run["words_per_second"] == pytest.approx(run["words"] / run["seconds"])


@pytest.mark.parametrize("quoted, value", [
    # the chapter's prose about the gensim comparison, against the stored runs
    ("10.9 and\n15.8 times as fast", lambda rows: (rows[1][5], rows[3][5])),
    ("(5.44 ± 0.29% against 5.31 ± 0.10% at d = 100)", lambda rows: (rows[1][6], rows[1][7])),
    ("(0.485 ±\n0.018 against 0.355 ± 0.012)", lambda rows: (rows[1][8], rows[1][9])),
])
def test_the_chapter_prose_quotes_the_gensim_comparison_as_stored(quoted, value):
    text = chapter_markdown()
    assert quoted in text
    rows = [[cell.strip() for cell in row.strip("|").split("|")] for row in gensim_rows()]
    cells = value(rows)
    numbers = re.findall(r"\d+\.\d+", quoted)
    stored = [n for cell in cells for n in re.findall(r"\d+\.\d+", cell)]
    # the ratio cells hold their range too; the quote gives the median, the first number
    if len(numbers) == 2 and len(stored) > 2:
        stored = [re.findall(r"\d+\.\d+", cell)[0] for cell in cells]
    assert numbers == stored


def load_bench(name: str):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_zipf_corpus_keeps_every_word_and_draws_by_its_counts():
    import torch
    from w2v_lib.roofline import zipf_corpus
    corpus = zipf_corpus(500, 200_000, seed=1, paragraph=100)
    # all 500 words, drawn or not, most frequent first
    assert len(corpus.vocab) == 500 and corpus.vocab.itos[0] == "w0"
    assert corpus.vocab.counts == sorted(corpus.vocab.counts, reverse=True)
    # an index is drawn in proportion to the vocabulary's count for it
    drawn = torch.bincount(corpus.ids.long(), minlength=500).double()
    expected = torch.tensor(corpus.vocab.counts, dtype=torch.float64)
    expected *= len(corpus) / expected.sum()
    assert torch.allclose(drawn[:10], expected[:10], rtol=0.05)
    assert corpus.sentence[99].item() == 0 and corpus.sentence[100].item() == 1
    # seeded; one sentence without a paragraph length; no text at 0 tokens
    again = zipf_corpus(500, 200_000, seed=1)
    assert torch.equal(again.ids, corpus.ids) and again.sentence.max().item() == 0
    assert not torch.equal(zipf_corpus(500, 200_000, seed=2).ids, corpus.ids)
    assert len(zipf_corpus(500)) == 1 and len(zipf_corpus(500).vocab) == 500


def test_the_benchmark_runs_and_writes_its_report(tmp_path, monkeypatch, capsys):
    measure = load_bench("gpu_measure")
    out = tmp_path / "gpu.json"
    monkeypatch.setattr("sys.argv", [
        "gpu_measure.py", "--device", "cpu", "--gpu", "H100", "--vocab", "300",
        "--models", "sgns", "--dims", "8", "--batch-sizes", "64", "128",
        "--tokens", "3000", "3000", "--repeats", "2", "--json", str(out)])
    measure.main()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [row["batch_size"] for row in report["rows"]] == [64, 128]
    assert all(len(row["runs"]) == 2 and row["predicted"] > 0 for row in report["rows"])
    assert "sgns     8     64" in capsys.readouterr().out


def test_the_benchmark_refuses_a_gpu_it_has_no_model_of(monkeypatch):
    measure = load_bench("gpu_measure")
    monkeypatch.setattr("sys.argv", ["gpu_measure.py", "--device", "cpu", "--gpu", "V100"])
    with pytest.raises(SystemExit, match="no model of"):
        measure.main()
