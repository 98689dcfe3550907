"""The engine shared by every exercise check: what it says about stubs, errors, answers
it cannot read, values that differ only in late digits, and inputs changed in place."""

import torch

from checking import stub
from w2v_lib.checks.engine import Approx, Case, Mistake, compare_tensors, run_check, two_numbers

CASES = [Case("a small case", (torch.tensor([1.0, 2.0]),))]


def double(x):
    return 2 * x


def report(capsys):
    return " ".join(capsys.readouterr().out.split())


def test_two_numbers_use_as_many_digits_as_it_takes_to_differ():
    assert two_numbers(0.8, 0.7) == ("0.8", "0.7")
    assert two_numbers(0.8, 0.80000012) == ("0.8", "0.8000001")
    assert two_numbers(-0.07604321, -0.07605) == ("-0.07604", "-0.07605")
    assert two_numbers(1.0, 1.0 + 2 ** -52) == ("1", "1.0000000000000002")


def test_a_close_miss_prints_the_difference_and_the_allowance():
    expected = Approx(torch.tensor([0.5, 0.8], dtype=torch.float64),
                      torch.tensor([1e-7, 1e-7], dtype=torch.float64), torch.float32)
    problem = compare_tensors(torch.tensor([0.5, 0.800003]), expected)
    assert problem == "at index [1]: expected 0.8, got 0.800003 (off by 3e-06, more than rounding explains: 1e-07)."


def test_an_answer_within_the_allowance_matches():
    expected = Approx(torch.tensor([0.5, 0.8], dtype=torch.float64),
                      torch.tensor([1e-7, 1e-6], dtype=torch.float64), torch.float32)
    assert compare_tensors(torch.tensor([0.5, 0.8000005]), expected) is None


def test_nan_and_inf_are_never_close_to_a_number():
    expected = Approx(torch.tensor([1.0], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64), torch.float32)
    assert compare_tensors(torch.tensor([float("nan")]), expected) == "at index [0]: expected 1, got nan."
    assert compare_tensors(torch.tensor([float("inf")]), expected) == "at index [0]: expected 1, got inf."


def test_a_stub_is_not_attempted_yet(capsys):
    assert run_check("double", stub, CASES, double, compare_tensors) is False
    assert "… not attempted yet: double still raises NotImplementedError." in report(capsys)


def test_a_decorated_stub_is_not_attempted_yet(capsys):
    @torch.no_grad()
    def decorated(x):
        raise NotImplementedError

    assert run_check("double", decorated, CASES, double, compare_tensors) is False
    assert "… not attempted yet: double still raises NotImplementedError." in report(capsys)


def test_a_stub_called_by_the_function_is_named(capsys):
    def earlier_exercise(x):
        raise NotImplementedError

    def later_exercise(x):
        return earlier_exercise(x) * 2

    assert run_check("later_exercise", later_exercise, CASES, double, compare_tensors) is False
    out = report(capsys)
    assert "not attempted" not in out
    assert ("✗ a small case: your function calls earlier_exercise, which still raises "
            "NotImplementedError: it looks like the stub of an earlier exercise. Finish "
            "earlier_exercise first (its check is further up), run its cell, then this one.") in out


def test_a_not_implemented_error_with_a_message_is_an_error(capsys):
    """torch raises NotImplementedError, with a message, for an operation a device or a
    dtype lacks: the learner attempted the exercise, and the message says what failed."""
    def uses_a_missing_operation(x):
        raise NotImplementedError("aten::something is not implemented for 'Half'")

    assert run_check("double", uses_a_missing_operation, CASES, double, compare_tensors) is False
    assert ("✗ a small case: your function raised NotImplementedError: aten::something is not "
            "implemented for 'Half'") in report(capsys)


def test_an_answer_the_comparison_cannot_read_is_reported(capsys):
    def fussy(got, expected):
        return None if got == expected else "differs"  # a tensor == has no single truth value

    verdict = run_check("double", double, CASES, double, fussy)
    assert verdict is False
    assert ("✗ a small case: the check could not read your answer (RuntimeError: Boolean value of "
            "Tensor with more than one value is ambiguous); it is a Tensor: tensor([2., 4.]).") in report(capsys)


def test_a_mistake_that_cannot_be_made_on_a_case_is_passed_over(capsys):
    def impossible(x):
        raise ValueError("this mistake needs another kind of input")

    mistakes = [Mistake(impossible, "never shown"), Mistake(lambda x: 3 * x, "times three")]
    assert run_check("double", lambda x: 3 * x, CASES, double, compare_tensors, mistakes) is False
    out = report(capsys)
    assert "Hint: times three" in out and "never shown" not in out


def test_a_function_that_changes_its_input_is_reported(capsys):
    def doubles_in_place(values):
        return values.mul_(2)

    assert run_check("double", doubles_in_place, CASES, double, compare_tensors) is False
    assert "✗ a small case: your function changed its argument `values` in place;" in report(capsys)


def test_a_list_changed_in_place_is_reported(capsys):
    def pops(words):
        words.pop()
        return len(words) + 1

    cases = [Case("three words", (["a", "b", "c"],))]
    verdict = run_check("count", pops, cases, len, lambda got, expected: None if got == expected else "differs")
    assert verdict is False
    assert ("✗ three words: your function changed its argument `words` in place; the caller gets it "
            "back changed, and a later cell would use the changed values. Build a new list instead "
            "of changing this one.") in report(capsys)


def test_the_report_never_splits_a_hyphenated_word(capsys):
    hint = "multiply each count by its keep-probability " * 3
    run_check("double", lambda x: 3 * x, CASES, double, compare_tensors, [Mistake(lambda x: 3 * x, hint)])
    lines = capsys.readouterr().out.splitlines()
    assert not any(line.rstrip().endswith("keep-") for line in lines)
