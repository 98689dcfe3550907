"""What each exercise check runs, read from the check itself: its cases, reference,
comparison and typical mistakes, so that tests can go through all of them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import w2v_lib.checks as checks
from checking import stub

# every check of a function the learner writes, in the order of the chapters and
# appendices (the "predict, then run" checks have tests of their own)
ALL_CHECKS = [getattr(checks, name) for name in checks.__all__
              if name not in checks.PREDICTION_CHECKS]


@dataclass
class Spec:
    """The arguments a check passes to run_check."""

    title: str
    cases: list
    reference: Any
    compare: Any
    mistakes: list
    in_place: int | None


def spec_of(check) -> Spec:
    """Run ``check`` with run_check replaced by a recorder, and return what it recorded."""
    recorded = []

    def record(title, fn, cases, reference, compare, mistakes=(), in_place=None):
        recorded.append(Spec(title, list(cases), reference, compare, list(mistakes), in_place))
        return True

    module = sys.modules[check.__module__]
    real = module.run_check
    module.run_check = record
    try:
        check(stub)
    finally:
        module.run_check = real
    (spec,) = recorded
    return spec


def check_id(check) -> str:
    return check.__name__.removeprefix("check_")
