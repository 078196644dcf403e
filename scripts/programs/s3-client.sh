# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# boto3 in a venv, for the native tests' S3 checks. The requirements pin the whole closure
# (--no-deps: nothing unpinned sneaks in); the version is their hash, so a bump builds a new venv.
S3_REQUIREMENTS="$PROGRAMS_ROOT/test/native/s3-client.requirements.txt"
PROGRAM_VERSION=$(requirements_key "$S3_REQUIREMENTS")
PROGRAM_SOURCE="PyPI $(grep '^boto3==' "$S3_REQUIREMENTS") (test/native/s3-client.requirements.txt)"
program_path() { echo "$PROGRAM_DIR/bin/python"; }
program_ok() { venv_ok "$S3_REQUIREMENTS"; }
program_build() { venv_install "$S3_REQUIREMENTS" --no-deps; }
