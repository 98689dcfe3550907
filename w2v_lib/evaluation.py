"""Measuring word vectors: analogies and word similarity (chapter 6; a first use in
chapter 4).

Two kinds of benchmark, both shipped with gensim so that they work offline:

* **Analogies**: the Google set ``questions-words.txt`` (Mikolov et al. 2013a), 19,544
  questions "a is to b as c is to d" in 14 sections, scored as the share answered
  exactly, with the candidates restricted to the most frequent words (30,000 by the
  usual protocol) and the three query words excluded.
* **Similarity**: WordSim353 and SimLex-999, word pairs rated by people; the score is
  the Spearman correlation between the ratings and the cosine similarities.

Questions and pairs with a word outside the (restricted) vocabulary are skipped, as
gensim skips them; every result says how many were scored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import torch
from gensim.test.utils import datapath
from scipy.stats import spearmanr

from .vectors import WordVectors, analogy_scores

__all__ = ["Analogy", "AnalogyResult", "load_analogies", "analogy_accuracy", "load_word_pairs",
           "similarity_spearman"]

ANALOGIES = "questions-words.txt"
WORDSIM353 = "wordsim353.tsv"
SIMLEX999 = "simlex999.txt"


@dataclass(frozen=True)
class Analogy:
    section: str
    a: str
    b: str
    c: str
    d: str


def load_analogies(path: str | Path | None = None) -> list[Analogy]:
    """The questions of an analogy file in the word2vec format (``: section`` lines,
    then ``a b c d`` lines), lowercased. Defaults to gensim's ``questions-words.txt``.

    Introduced in chapter 6.
    """
    questions, section = [], None
    with open(path or datapath(ANALOGIES), encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                section = line[1:].strip()
                continue
            words = line.lower().split()
            if len(words) != 4 or section is None:
                raise ValueError(f"{path or ANALOGIES}, line {number}: expected four words after a "
                                 f"': section' line, got {line!r}.")
            questions.append(Analogy(section, *words))
    return questions


@dataclass
class AnalogyResult:
    """Correct and scored questions, overall and per section."""

    correct: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    scored: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: int = 0

    @property
    def accuracy(self) -> float:
        scored = sum(self.scored.values())
        return sum(self.correct.values()) / scored if scored else float("nan")

    @property
    def coverage(self) -> float:
        return sum(self.scored.values()) / self.total if self.total else float("nan")

    def section_accuracy(self) -> dict[str, float]:
        return {s: self.correct[s] / n for s, n in self.scored.items() if n}


def analogy_accuracy(vectors: WordVectors, questions: list[Analogy] | None = None,
                     restrict_vocab: int = 30_000, method: str = "3cosadd",
                     batch_size: int = 1024) -> AnalogyResult:
    """Answer every analogy question by 3CosAdd (or 3CosMul) over the ``restrict_vocab``
    most frequent words, the query words excluded, and count the exact hits.

    Introduced in chapter 6. It gives the same answers as gensim's
    ``evaluate_word_analogies(restrict_vocab=...)`` on the same vectors (a test checks
    it), but works in batches of questions, with one matrix product each.
    """
    questions = load_analogies() if questions is None else questions
    result = AnalogyResult(total=len(questions))
    for batch, rows, expected, cosines in _question_batches(vectors, questions,
                                                             restrict_vocab, batch_size):
        scores = analogy_scores(*cosines, method=method)
        scores.scatter_(1, rows, -float("inf"))  # the query words are never answers
        for q, hit in zip(batch, (scores.argmax(dim=1) == expected).tolist()):
            result.scored[q.section] += 1
            result.correct[q.section] += int(hit)
    return result


def _question_batches(vectors: WordVectors, questions: list[Analogy], restrict_vocab: int,
                      batch_size: int):
    """The questions whose four words are among the ``restrict_vocab`` most frequent, in
    batches: each as the questions, the rows of a, b and c ``(n, 3)``, the rows of the
    answers ``(n,)``, and the cosines of every candidate with a, b and c (``(n, V)`` each)."""
    allowed = {w: i for i, w in enumerate(vectors.words[:restrict_vocab])}
    usable = [q for q in questions if all(w in allowed for w in (q.a, q.b, q.c, q.d))]
    unit = vectors.unit[:restrict_vocab]
    for start in range(0, len(usable), batch_size):
        batch = usable[start:start + batch_size]
        rows = torch.tensor([[allowed[q.a], allowed[q.b], allowed[q.c]] for q in batch])
        expected = torch.tensor([allowed[q.d] for q in batch])
        yield batch, rows, expected, tuple(unit[rows[:, k]] @ unit.T for k in range(3))


def load_word_pairs(path: str | Path) -> list[tuple[str, str, float]]:
    """Word pairs with a human similarity score, from a tab-separated file such as
    gensim's ``wordsim353.tsv`` or ``simlex999.txt`` (``#`` lines are comments)."""
    pairs = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            try:
                pairs.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
            except (IndexError, ValueError):
                raise ValueError(f"{path}, line {number}: expected 'word<TAB>word<TAB>score', "
                                 f"got {line.strip()!r}.") from None
    return pairs


def similarity_spearman(vectors: WordVectors, pairs: list[tuple[str, str, float]] | str = WORDSIM353
                        ) -> tuple[float, float]:
    """The Spearman correlation between human scores and cosine similarities, and the
    share of pairs scored (both words known). ``pairs`` is a list or the name of one of
    gensim's test files.

    Introduced in chapter 6.
    """
    if isinstance(pairs, str):
        pairs = load_word_pairs(datapath(pairs))
    known = [(a, b, s) for a, b, s in pairs if a in vectors and b in vectors]
    if len(known) < 2:
        return float("nan"), len(known) / len(pairs)
    cosines = [float(vectors.unit[vectors.row(a)] @ vectors.unit[vectors.row(b)]) for a, b, _ in known]
    rho = spearmanr([s for *_, s in known], cosines).statistic
    return float(rho), len(known) / len(pairs)


# --- how much of an analogy score is the analogy? (chapter 9) ----------------------------
#
# Linzen (2016) asked how far the offset b - a + c matters: simpler rules that ignore
# part of the question already answer many of them, and without the rule that the query
# words are no answers, 3CosAdd mostly returns b or c. Each rule below ranks every
# candidate x over the most frequent words, as analogy_accuracy does.

ANALOGY_RULES = {
    "3cosadd": "b - a + c, query words excluded",
    "3cosadd, queries allowed": "b - a + c, query words may be answers",
    "query word returned": "b - a + c, query words allowed: the answer is a, b or c",
    "only c": "the nearest neighbour of c, query words excluded",
    "ignore a": "b + c, query words excluded",
}

__all__ += ["ANALOGY_RULES", "analogy_rule_accuracy"]


def analogy_rule_accuracy(vectors: WordVectors, questions: list[Analogy] | None = None,
                          restrict_vocab: int = 30_000, batch_size: int = 1024
                          ) -> dict[str, AnalogyResult]:
    """The accuracy of each rule of :data:`ANALOGY_RULES` on the same questions (those
    whose four words are among the ``restrict_vocab`` most frequent).

    Introduced in chapter 9. For ``"query word returned"`` the count is not of right
    answers but of questions whose best candidate is one of the three query words when
    they are allowed. ``"3cosadd"`` equals :func:`analogy_accuracy`.
    """
    questions = load_analogies() if questions is None else questions
    results = {rule: AnalogyResult(total=len(questions)) for rule in ANALOGY_RULES}
    for batch, rows, expected, (cos_a, cos_b, cos_c) in _question_batches(
            vectors, questions, restrict_vocab, batch_size):
        offset = analogy_scores(cos_a, cos_b, cos_c)
        answers = {"3cosadd, queries allowed": offset.argmax(dim=1)}
        answers["query word returned"] = answers["3cosadd, queries allowed"]
        for rule, scores in (("3cosadd", offset), ("only c", cos_c), ("ignore a", cos_b + cos_c)):
            answers[rule] = scores.scatter(1, rows, -float("inf")).argmax(dim=1)
        for rule, answer in answers.items():
            if rule == "query word returned":
                hits = (answer[:, None] == rows).any(dim=1)
            else:
                hits = answer == expected
            for q, hit in zip(batch, hits.tolist()):
                results[rule].scored[q.section] += 1
                results[rule].correct[q.section] += int(hit)
    return results
