# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# KServe's Python model server and SDK (issue #23); program_path is the venv's python.
PROGRAM_REQUIREMENTS="$PROGRAMS_HOME/python/kserve.txt"
PROGRAM_VERSION=$(requirements_key "$PROGRAM_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep -v '^#' "$PROGRAM_REQUIREMENTS" | tr '\n' ' ')"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
program_ok() { "$(program_path)" "$PROGRAMS_HOME/python/pinned.py" "$PROGRAM_REQUIREMENTS" kserve; }
program_build() { venv_install "$PROGRAM_REQUIREMENTS"; }
