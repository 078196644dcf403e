# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# boto3 in a venv, for the native tests' S3 checks (the whole closure pinned).
pinned_venv_recipe test/native/s3-client.requirements.txt boto3
