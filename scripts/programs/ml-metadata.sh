# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# ML Metadata's Python library in a venv: the native tests parse the metadata server's rendered
# configuration with its protos and connect to MariaDB with it. The requirements pin the whole closure
# (--no-deps); the version is their hash, so a bump builds a new venv.
MLMD_REQUIREMENTS="$PROGRAMS_ROOT/test/pipelines/mlmd/requirements.txt"
PROGRAM_VERSION=$(requirements_key "$MLMD_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep '^ml-metadata==' "$MLMD_REQUIREMENTS") (test/pipelines/mlmd/requirements.txt)"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
program_ok() { venv_ok "$MLMD_REQUIREMENTS"; }
program_build() { venv_install "$MLMD_REQUIREMENTS" --no-deps; }
