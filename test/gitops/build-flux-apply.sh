#!/usr/bin/env bash
# Builds (or finds in the cache) flux-apply: the small program that applies microflow's Flux layout
# with Flux's own apply engine, github.com/fluxcd/pkg/ssa (version pinned in flux-apply/go.mod).
# Cached under $MICROFLOW_CACHE/flux-ssa-<version>/ keyed by a hash of go.mod, go.sum and main.go;
# prints the binary's path. GOTOOLCHAIN=local: the machine's Go (1.26) builds it, nothing is downloaded
# but modules.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/flux-apply"
SSA_VERSION=$(awk '$1 == "github.com/fluxcd/pkg/ssa" { print $2 }' "$SRC/go.mod")
CACHE_ROOT="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
DIR="$CACHE_ROOT/flux-ssa-$SSA_VERSION"
BIN="$DIR/bin/flux-apply"
RECIPE=$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)
mkdir -p "$DIR/bin"
exec 9>"$DIR/.build.lock"
flock 9
if [[ -x "$BIN" && "$(cat "$DIR/bin/.recipe" 2>/dev/null)" == "$RECIPE" && "${MICROFLOW_FORCE_REBUILD:-}" != 1 ]]; then
  echo "$BIN"
  exit 0
fi
start=$(date +%s)
echo "[flux-apply] building with fluxcd/pkg/ssa $SSA_VERSION (cold: a few minutes on 2 cores)" >&2
(cd "$SRC" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -p "${BUILD_PARALLELISM:-2}" -trimpath -ldflags "-s -w" -o "$BIN.tmp" .)
mv "$BIN.tmp" "$BIN"
echo "$RECIPE" > "$DIR/bin/.recipe"
echo "[flux-apply] built in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
