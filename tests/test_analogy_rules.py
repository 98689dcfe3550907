"""Linzen's questions about analogies, on vectors where the answer is known: every rule
of analogy_rule_accuracy against a brute-force loop over the candidates."""

import torch

from w2v_lib.evaluation import ANALOGY_RULES, Analogy, analogy_accuracy, analogy_rule_accuracy
from w2v_lib.vectors import WordVectors


def brute(vectors, q, rule, restrict):
    unit = vectors.unit[:restrict]
    a, b, c = (unit[vectors.row(w)] for w in (q.a, q.b, q.c))
    score = {"3cosadd": lambda x: x @ b - x @ a + x @ c,
             "3cosadd, queries allowed": lambda x: x @ b - x @ a + x @ c,
             "only c": lambda x: x @ c,
             "ignore a": lambda x: x @ b + x @ c}[rule]
    queries = {q.a, q.b, q.c}
    candidates = [(float(score(unit[i])), w) for i, w in enumerate(vectors.words[:restrict])
                  if rule == "3cosadd, queries allowed" or w not in queries]
    return max(candidates)[1]


def test_rules_equal_brute_force():
    g = torch.Generator().manual_seed(0)
    words = [f"w{i}" for i in range(60)]
    vectors = WordVectors(words, torch.randn(60, 5, generator=g))
    picks = torch.randint(0, 60, (300, 4), generator=g).tolist()
    questions = [Analogy("s1" if k % 2 else "s2", *(words[i] for i in p))
                 for k, p in enumerate(picks) if len(set(p)) == 4]
    results = analogy_rule_accuracy(vectors, questions, restrict_vocab=50, batch_size=64)
    assert set(results) == set(ANALOGY_RULES)
    usable = [q for q in questions if all(vectors.row(w) < 50 for w in (q.a, q.b, q.c, q.d))]
    for rule in ["3cosadd", "3cosadd, queries allowed", "only c", "ignore a"]:
        right = sum(brute(vectors, q, rule, 50) == q.d for q in usable)
        assert sum(results[rule].correct.values()) == right, rule
        assert sum(results[rule].scored.values()) == len(usable)
    returned = sum(brute(vectors, q, "3cosadd, queries allowed", 50) in {q.a, q.b, q.c} for q in usable)
    assert sum(results["query word returned"].correct.values()) == returned
    assert results["3cosadd"].accuracy == analogy_accuracy(vectors, questions, restrict_vocab=50).accuracy


def test_on_a_planted_offset_only_the_offset_rule_is_right():
    # b - a + c is exactly d; c's own nearest neighbour is a decoy
    words = ["a", "b", "c", "d", "decoy"]
    matrix = torch.tensor([[1.0, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0.1, 0, 1]])
    results = analogy_rule_accuracy(WordVectors(words, matrix), [Analogy("s", "a", "b", "c", "d")])
    assert results["3cosadd"].accuracy == 1.0
    assert results["only c"].accuracy == 0.0
    # here d beats b and c even when they are allowed
    assert results["3cosadd, queries allowed"].accuracy == 1.0
    assert results["query word returned"].accuracy == 0.0
