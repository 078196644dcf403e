# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# ML Metadata's Python library in a venv: the native tests parse the metadata server's rendered
# configuration with its protos and connect to MariaDB with it (the whole closure pinned).
pinned_venv_recipe test/pipelines/mlmd/requirements.txt ml-metadata
