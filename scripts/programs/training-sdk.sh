# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Katib's and Trainer's Python SDKs (issue #22) in one venv; program_path is its python.
PROGRAM_REQUIREMENTS="$PROGRAMS_HOME/python/training-sdk.txt"
PROGRAM_VERSION=$(requirements_key "$PROGRAM_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep -v '^#' "$PROGRAM_REQUIREMENTS" | tr '\n' ' ')"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
# Both SDKs live under the kubeflow package: both subpackages must be found.
program_ok() { "$(program_path)" "$PROGRAMS_HOME/python/pinned.py" "$PROGRAM_REQUIREMENTS" kubeflow.katib kubeflow.trainer; }
program_build() { venv_install "$PROGRAM_REQUIREMENTS"; }
