# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# MLflow's tracking server with mlflow-kubernetes-plugins (issue #23); program_path is the venv's
# python (`python -m mlflow server ...`). The plugins need Python 3.12+, so not lib.sh's python3.
PROGRAM_REQUIREMENTS="$PROGRAMS_HOME/python/mlflow.txt"
PROGRAM_VERSION=$(requirements_key "$PROGRAM_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep -v '^#' "$PROGRAM_REQUIREMENTS" | tr '\n' ' ')"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
program_ok() { "$(program_path)" "$PROGRAMS_HOME/python/pinned.py" "$PROGRAM_REQUIREMENTS" mlflow mlflow_kubernetes_plugins; }
# The first Python 3.12+ found: python3 itself, python3.13/python3.12, or a pyenv-installed one
# (pyenv's shims refuse versions that are installed but not selected).
python_312() {
  local p
  for p in python3 python3.13 python3.12 "$(pyenv root 2>/dev/null)"/versions/3.1[2-9]*/bin/python3; do
    "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v "$p"; return; }
  done
  programs_die "mlflow: needs Python 3.12 or later (mlflow-kubernetes-plugins); found none"
}
program_build() {
  "$(python_312)" -m venv "$PROGRAM_SCRATCH"
  "$PROGRAM_SCRATCH/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PROGRAM_REQUIREMENTS" >&2
}
