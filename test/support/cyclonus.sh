#!/usr/bin/env bash
# Builds cyclonus (a NetworkPolicy engine, used by test/platform/reachability.test.ts) from the Go
# module proxy into the shared cache, once per version; later runs only check the cached binary.
#   MICROFLOW_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/microflow)
# Prints the binary's path on stdout. Keep CYCLONUS_VERSION in step with test/support/cyclonus.ts.
set -euo pipefail
CYCLONUS_VERSION=v0.5.6
CACHE="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
BIN_DIR="$CACHE/cyclonus-$CYCLONUS_VERSION/bin"
mkdir -p "$BIN_DIR"

# A binary counts as cached only if it runs (a truncated build would not).
ok() { [[ -x "$BIN_DIR/cyclonus" ]] && "$BIN_DIR/cyclonus" version >/dev/null 2>&1; }

# Parallel callers (two worktrees, CI and a developer) wait for one build instead of racing.
exec 9>"$BIN_DIR/.build.lock"
flock 9
if ! ok; then
  command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null 2>&1 || { echo "cyclonus.sh: go not found (install Go to build cyclonus $CYCLONUS_VERSION)" >&2; exit 1; }
  echo "cyclonus.sh: building cyclonus $CYCLONUS_VERSION with $(go version | awk '{print $3}') (about 2-3 minutes cold)" >&2
  start=$(date +%s)
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$BIN_DIR" go install -trimpath -ldflags "-s -w" "github.com/mattfenwick/cyclonus/cmd/cyclonus@$CYCLONUS_VERSION" >&2
  echo "cyclonus.sh: built in $(( $(date +%s) - start ))s" >&2
  ok || { echo "cyclonus.sh: the built binary does not run" >&2; exit 1; }
fi
echo "$BIN_DIR/cyclonus"
