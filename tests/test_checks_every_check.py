"""Properties that every exercise check of the book must have, tested on every one:
each typical mistake gets its own hint, an answer that differs from the exact one by
more than rounding allows is rejected with two numbers that show the difference, one
within it passes, and a function that changes its inputs in place is reported."""

import re

import pytest
import torch
from torch import nn

from check_specs import ALL_CHECKS, check_id, spec_of
from checking import run
from notebook_solutions import solutions
from w2v_lib.checks.engine import Approx, run_check

CHAPTER_OF = {
    "one_hot": "01_one_hot_to_lookup.ipynb", "linear_from_embedding": "01_one_hot_to_lookup.ipynb",
    "cosine_spread": "01_one_hot_to_lookup.ipynb",
    "sentence_pairs": "02_skipgram_softmax.ipynb", "softmax_grad": "02_skipgram_softmax.ipynb",
    "skipgram_grads": "02_skipgram_softmax.ipynb", "expected_pairs": "02_skipgram_softmax.ipynb",
    "masked_mean": "03_cbow_softmax.ipynb", "cbow_grads": "03_cbow_softmax.ipynb",
    "neutral_share": "04_negative_sampling.ipynb", "unigram_table": "04_negative_sampling.ipynb",
    "sgns_grads": "04_negative_sampling.ipynb",
    "first_dropped_share": "05_subsampling_recipe.ipynb",
    "negative_sampling_loss": "04_negative_sampling.ipynb",
    "three_cos_add": "06_evaluation.ipynb", "spearman": "06_evaluation.ipynb",
    "window_mask": "07_training_fast.ipynb", "fold_windows": "07_training_fast.ipynb",
    "add_rows": "07_training_fast.ipynb", "fewest_capped_pairs": "07_training_fast.ipynb",
    "sgns_optimum": "08_what_skipgram_learns.ipynb",
    "cooccurrence_matrix": "08_what_skipgram_learns.ipynb",
    "shifted_ppmi": "08_what_skipgram_learns.ipynb",
    "read_glove": "09_using_vectors.ipynb", "mean_pool": "09_using_vectors.ipynb",
    "weat_effect_size": "09_using_vectors.ipynb",
    "huffman_codes": "appendix_a_hierarchical_softmax.ipynb",
    "path_log_probs": "appendix_a_hierarchical_softmax.ipynb",
    "hs_grads": "appendix_a_hierarchical_softmax.ipynb",
    "shard_bounds": "appendix_b_distributed.ipynb",
}


def test_the_list_covers_every_check_once():
    # every check of w2v_lib.checks is in CHAPTER_OF, and none twice
    ids = [check_id(check) for check in ALL_CHECKS]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(CHAPTER_OF)


def solution(check):
    return solutions(CHAPTER_OF[check_id(check)])[check_id(check)]


def report(capsys) -> str:
    return " ".join(capsys.readouterr().out.split())


# --- hints --------------------------------------------------------------------------


@pytest.mark.parametrize("check", ALL_CHECKS, ids=check_id)
def test_every_typical_mistake_gets_its_own_hint(check, capsys):
    """A learner who makes a check's typical mistake is told about that mistake, not
    another one that the cases happen to share with it."""
    spec = spec_of(check)
    assert spec.mistakes, "every check knows some typical mistakes"
    for mistake in spec.mistakes:
        verdict = run_check(spec.title, mistake.make, spec.cases, spec.reference, spec.compare,
                            spec.mistakes, spec.in_place)
        out = report(capsys)
        assert verdict is False, f"{mistake.hint!r}: the mistake passes"
        hints = re.findall(r"Hint: (.*)", out)
        assert hints == [" ".join(mistake.hint.split())], out


# --- rounding allowances ------------------------------------------------------------


def approx_parts(expected):
    """The Approx parts of a reference answer (one, or one per returned tensor)."""
    parts = expected if isinstance(expected, tuple) else (expected,)
    return [part for part in parts if isinstance(part, Approx)]


CHECKS_WITH_ROUNDING = [check for check in ALL_CHECKS if approx_parts(
    spec_of(check).reference(*spec_of(check).cases[0].args))]


def test_the_float_checks_all_allow_for_rounding():
    assert sorted(map(check_id, CHECKS_WITH_ROUNDING)) == sorted([
        "softmax_grad", "skipgram_grads", "masked_mean", "cbow_grads", "neutral_share",
        "sgns_grads", "negative_sampling_loss",
        "spearman", "fold_windows", "add_rows", "path_log_probs", "hs_grads"])


def answer_at(spec, times: float):
    """A function answering every case with the exact answer moved by ``times`` its
    rounding allowance, at the entry where the allowance is largest (of its first
    part), and rounded to the dtype the check asks for."""
    def moved(part, shift):
        value = part.exact.clone()
        if shift:
            where = int(part.error.flatten().argmax())
            value.view(-1)[where] += times * float(part.error.flatten()[where])
        return value.to(part.dtype)

    def fn(*args):
        expected = spec.reference(*args)
        parts = expected if isinstance(expected, tuple) else (expected,)
        values = tuple(moved(part, k == 0) for k, part in enumerate(parts))
        if isinstance(expected, tuple):
            return values
        if spec.in_place is not None:
            return args[spec.in_place].copy_(values[0])
        if spec.title == "spearman":  # asks for a Python float
            return float(values[0])
        return values[0]
    return fn


@pytest.mark.parametrize("check", CHECKS_WITH_ROUNDING, ids=check_id)
def test_an_answer_within_the_rounding_allowance_passes(check, capsys):
    spec = spec_of(check)
    assert run_check(spec.title, answer_at(spec, 0.5), spec.cases, spec.reference, spec.compare,
                     (), spec.in_place), report(capsys)


@pytest.mark.parametrize("check", CHECKS_WITH_ROUNDING, ids=check_id)
def test_an_answer_beyond_the_allowance_is_rejected_and_the_numbers_show_it(check, capsys):
    """Three times the allowance is a wrong answer, on every case; and the report's two
    numbers differ as written, so it never reads "expected X, got X"."""
    spec = spec_of(check)
    for case in spec.cases:
        parts = approx_parts(spec.reference(*case.args))
        if not float(parts[0].error.max()) > 0:
            continue  # an answer that must be exact: nothing to move within
        verdict = run_check(spec.title, answer_at(spec, 3.0), [case], spec.reference, spec.compare,
                            (), spec.in_place)
        out = report(capsys)
        assert verdict is False, f"{case.name}: three times the allowance passes"
        expected, got = re.search(r"expected (\S+), got (\S+)", out.split("✗")[1]).groups()
        assert expected.rstrip(".") != got.rstrip("."), out


# --- inputs changed in place --------------------------------------------------------


def spoil(value):
    """Change an argument in place, the way a careless function might."""
    if isinstance(value, torch.Tensor):
        if value.is_floating_point():
            value.mul_(2)
        elif value.dtype == torch.bool:
            value.logical_not_()
        else:
            value.add_(1)
        return True
    if isinstance(value, nn.Module):
        with torch.no_grad():
            value.weight.mul_(2)
        return True
    if isinstance(value, list):
        value.append(value[0] if value else "extra")
        return True
    return False


@pytest.mark.parametrize("check", ALL_CHECKS, ids=check_id)
def test_every_check_reports_a_function_that_changes_an_input_in_place(check, capsys):
    """The chapter's solution, followed by a change to one of its inputs (one it must
    not change): the answer is right, and the check still fails, naming the input."""
    spec = spec_of(check)
    right = solution(check)
    names = right.__code__.co_varnames[:right.__code__.co_argcount]
    for position in range(len(names)):
        if position == spec.in_place or not isinstance(spec.cases[0].args[position],
                                                         (torch.Tensor, nn.Module, list)):
            continue

        def careless(*args):
            result = right(*args)
            spoil(args[position])
            return result

        careless.__signature__ = __import__("inspect").signature(right)
        verdict, out = run(check, careless, capsys)
        assert verdict is False
        assert f"changed its argument `{names[position]}` in place" in out, out
