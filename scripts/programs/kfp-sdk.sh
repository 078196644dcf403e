# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# The kfp SDK (with kfp-kubernetes) in a venv: the pipelines tests compile and run the README's
# examples with it. The version is the requirements' hash, so a bump builds a new venv.
KFP_REQUIREMENTS="$PROGRAMS_ROOT/test/pipelines/sdk/requirements.txt"
PROGRAM_VERSION=$(requirements_key "$KFP_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep -v '^#' "$KFP_REQUIREMENTS" | tr '\n' ' ')(test/pipelines/sdk/requirements.txt)"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
program_ok() { venv_ok "$KFP_REQUIREMENTS"; }
program_build() { venv_install "$KFP_REQUIREMENTS"; }
