#!/usr/bin/env bash
# Creates (or reuses) the cached venv with the kfp SDK the pipelines tests run, and prints its python:
#   ${MICROFLOW_CACHE:-~/.cache/microflow}/kfp-sdk-<hash of requirements>/bin/python
# Cold: about a minute (pip from PyPI); warm: instant. A lock keeps concurrent runs from racing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
req="$ROOT/test/pipelines/sdk/requirements.txt"
cache_root="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
key=$(sha256sum "$req" | cut -c1-12)
dir="$cache_root/kfp-sdk-$key"
mkdir -p "$cache_root"
exec 9>"$cache_root/.kfp-sdk.lock"
flock 9
if ! [ -x "$dir/bin/python" ] || ! "$dir/bin/python" -c 'import kfp, kfp.kubernetes' 2>/dev/null; then
  command -v python3 >/dev/null || { echo "sdk-venv: python3 is needed" >&2; exit 1; }
  echo "sdk-venv: installing $(grep -v '^#' "$req" | tr '\n' ' ')into $dir" >&2
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
fi
echo "$dir/bin/python"
