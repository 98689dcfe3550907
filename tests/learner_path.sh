#!/usr/bin/env bash
# The path a learner takes, tried as they take it (make learner-test).
#
# On Colab, the first cell of every chapter runs `pip install "w2v_lib @ git+<repo>"`:
# a regular, non-editable install of what the repository holds, into an environment
# that has never seen a checkout. This script does the same: a fresh virtual
# environment, torch, then w2v_lib installed from a git URL of this repository (its
# committed HEAD, as a learner would get it), and every chapter executed under nbval
# at the test scale from a folder outside the checkout, so that nothing can be
# imported from the working tree by accident.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

commit="$(git -C "$repo" rev-parse HEAD)"
if ! git -C "$repo" diff --quiet HEAD -- w2v_lib pyproject.toml chapters tests; then
    echo "learner path: uncommitted changes are not part of this run; it installs" \
         "and runs what is committed ($commit), as a learner would get it." >&2
fi

echo "learner path: a fresh environment in $work"
"$PYTHON" -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
# torch first, as Colab has it, so that nothing pulls in another build
"$py" -m pip install --quiet "$TORCH_SPEC"
"$py" -m pip install --quiet "w2v_lib @ git+file://$repo@$commit"
# a Jupyter kernel (Colab has one), and what runs the chapters as tests
"$py" -m pip install --quiet ipykernel "pytest>=8" "nbval>=0.11"

# the chapters and the test settings, as committed, in a folder of their own
mkdir "$work/run"
git -C "$repo" archive "$commit" chapters tests/nbval_sanitize.cfg tests/corpus_check.py \
    | tar -x -C "$work/run"
cd "$work/run/chapters"
cp ../tests/corpus_check.py .
echo "from corpus_check import pytest_collection_finish  # noqa: F401" > conftest.py

# the library must come from the install, not from a checkout
"$py" - <<'PY'
import w2v_lib, w2v_lib.checks
where = w2v_lib.__file__
assert "site-packages" in where, f"w2v_lib imported from {where}, not from the install"
print(f"learner path: w2v_lib {w2v_lib.__version__} from {where}")
PY

W2V_SCALE=test "$py" -m pytest --nbval ./*.ipynb -p no:cacheprovider \
    --nbval-sanitize-with ../tests/nbval_sanitize.cfg
