# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Katib's and Trainer's Python SDKs (issue #22) in one venv; program_path is its python.
PROGRAM_REQUIREMENTS="$PROGRAMS_HOME/python/training-sdk.txt"
PROGRAM_VERSION=$(requirements_key "$PROGRAM_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep -v '^#' "$PROGRAM_REQUIREMENTS" | tr '\n' ' ')"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
program_ok() {
  "$(program_path)" "$PROGRAMS_HOME/python/pinned.py" "$PROGRAM_REQUIREMENTS" &&
    "$(program_path)" -c 'import kubeflow.katib; from kubeflow.trainer import TrainerClient'
}
program_build() { venv_install "$PROGRAM_REQUIREMENTS"; }
