#!/usr/bin/env bash
# The path a learner takes, tried as they take it (make test runs it for the chapters).
#
# On Colab, the first cell of every chapter runs `pip install "w2v_lib @ git+<repo>"`:
# a regular, non-editable install of what the repository holds, into an environment
# that has never seen a checkout. This script does the same: a fresh virtual
# environment, torch, then w2v_lib installed from a git URL of this repository, and
# every chapter executed under nbval at the test scale from a folder outside the
# checkout, so that nothing can be imported from the working tree by accident.
#
# What it installs is a snapshot of the working tree as git sees it: the committed
# files with their uncommitted changes, and new files that git does not ignore. On a
# clean clone (CI) that is exactly the commit a learner would get.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
work="$(mktemp -d)"

# the snapshot: a commit of the working tree made with a private index, so that
# neither the real index nor HEAD is touched, on a branch of its own for pip to fetch
index="$work/index"
cp "$(git -C "$repo" rev-parse --git-path index)" "$index" 2>/dev/null || true
GIT_INDEX_FILE="$index" git -C "$repo" add -A
tree="$(GIT_INDEX_FILE="$index" git -C "$repo" write-tree)"
commit="$(git -C "$repo" commit-tree "$tree" -p HEAD -m "learner path: the working tree")"
branch="learner-path-$$"
git -C "$repo" update-ref "refs/heads/$branch" "$commit"
trap 'git -C "$repo" update-ref -d "refs/heads/$branch"; rm -rf "$work"' EXIT

echo "learner path: a fresh environment in $work"
"$PYTHON" -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
# torch first, as Colab has it, so that nothing pulls in another build
"$py" -m pip install --quiet "$TORCH_SPEC"
"$py" -m pip install --quiet "w2v_lib @ git+file://$repo@$branch"
# a Jupyter kernel (Colab has one), and what runs the chapters as tests
"$py" -m pip install --quiet ipykernel "pytest>=8" "nbval>=0.11"

# the chapters and the test settings of the snapshot, in a folder of their own
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

# every chapter, or the ones named on the command line (bash tests/learner_path.sh
# 01_one_hot_to_lookup.ipynb)
if [ "$#" -eq 0 ]; then set -- ./*.ipynb; fi
W2V_SCALE=test "$py" -m pytest --nbval "$@" -p no:cacheprovider \
    --nbval-sanitize-with ../tests/nbval_sanitize.cfg
