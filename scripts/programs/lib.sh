# shellcheck shell=bash
# The conventions every upstream program's recipe (scripts/programs/<name>.sh) builds by. Sourced by
# build.sh before a recipe; recipes call the helpers at the bottom. See test/README.md, "Upstream programs".
#
# Cache:   $PROGRAMS_CACHE = ${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}
# Program: $PROGRAM_DIR = $PROGRAMS_CACHE/<name>-<version>, or $PROGRAMS_CACHE/<name> when the name
#          already ends in -<version> (a program pinned at two versions at once: k8s-v1.28.15).
# Lock:    flock on $PROGRAMS_CACHE/locks/<name>.lock, per program: two programs build at once, two
#          callers of one program wait for a single build.
# Scratch: program_build writes into $PROGRAM_SCRATCH ($PROGRAM_DIR/.scratch.*) with the layout the
#          program dir should get; lib.sh moves it into place, bin/ last, so a build interrupted at
#          any point never passes program_ok.
# Go:      GOTOOLCHAIN=local CGO_ENABLED=0, -trimpath, -ldflags "-s -w $GO_LDFLAGS", go build -p
#          $BUILD_PARALLELISM (default 2), Go's default GOCACHE/GOMODCACHE (one build cache for all).
# MICROFLOW_FORCE_REBUILD=1 rebuilds even when cached.
set -euo pipefail

PROGRAMS_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROGRAMS_ROOT="$(cd "$PROGRAMS_HOME/../.." && pwd)"
PROGRAMS_CACHE="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
export GOTOOLCHAIN=local CGO_ENABLED=0
# A caller's GOFLAGS (scripts/istio/common.sh sets -mod=mod) must not change how a pin is built.
unset GOFLAGS
# Extra -X flags of a recipe; never inherited from the caller.
GO_LDFLAGS=""

programs_log() { printf '[programs] %s\n' "$*" >&2; }
programs_die() { programs_log "ERROR: $*"; exit 1; }

# need_go / need_python3: a clear error instead of "command not found" halfway through a build.
need_go() {
  command -v go >/dev/null 2>&1 || [[ ! -x /usr/local/go/bin/go ]] || export PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null 2>&1 || programs_die "$PROGRAM_NAME: the go command is needed (Go 1.26 or later)"
}
need_python3() {
  command -v python3 >/dev/null 2>&1 || programs_die "$PROGRAM_NAME: python3 is needed"
}

# --- for recipes ------------------------------------------------------------------------------

# go_install PKG@VERSION: `go install` of a module's command into $PROGRAM_SCRATCH/bin.
go_install() {
  need_go
  GOBIN="$PROGRAM_SCRATCH/bin" go install -p "${BUILD_PARALLELISM:-2}" -trimpath -ldflags "-s -w $GO_LDFLAGS" "$1"
}

# go_build_wrapper DIR PKG...: builds PKGs (import paths) in the wrapper module DIR, whose committed
# go.mod/go.sum pin every dependency (-mod=readonly refuses to change them), into $PROGRAM_SCRATCH/bin.
go_build_wrapper() {
  local dir="$1"
  shift
  need_go
  mkdir -p "$PROGRAM_SCRATCH/bin"
  (cd "$dir" && go build -mod=readonly -p "${BUILD_PARALLELISM:-2}" -trimpath -ldflags "-s -w $GO_LDFLAGS" \
    -o "$PROGRAM_SCRATCH/bin/" "$@")
  wrapper_key "$dir" >"$PROGRAM_SCRATCH/bin/.recipe"
}

# wrapper_key DIR: a hash of a wrapper module (go.mod, go.sum, its .go files) and $GO_LDFLAGS.
# go_build_wrapper records it in bin/.recipe; wrapper_ok DIR compares, so a changed pin or flag
# rebuilds even when the program's version probe still passes.
wrapper_key() {
  local files=("$1/go.mod" "$1/go.sum")
  shopt -s nullglob
  files+=("$1"/*.go)
  shopt -u nullglob
  cat "${files[@]}" <(echo "$GO_LDFLAGS") | sha256sum | cut -c1-16
}
wrapper_ok() { [[ "$(cat "$PROGRAM_DIR/bin/.recipe" 2>/dev/null)" == "$(wrapper_key "$1")" ]]; }

# go_build_module MODULE@VERSION PKG: builds PKG (relative, ./cmd/x) of a module as the main module,
# for modules whose replace directives make `go install mod@version` refuse them.
go_build_module() {
  local src
  need_go
  src=$(cd / && go mod download -json "$1" | awk -F'"' '/"Dir":/ {print $4}')
  [[ -f $src/go.mod ]] || programs_die "$PROGRAM_NAME: $1 not in the module cache after go mod download"
  # Module cache files are read-only; the copy only needs to be readable.
  cp -r "$src" "$PROGRAM_SCRATCH/src"
  mkdir -p "$PROGRAM_SCRATCH/bin"
  (cd "$PROGRAM_SCRATCH/src" && go build -p "${BUILD_PARALLELISM:-2}" -trimpath -ldflags "-s -w $GO_LDFLAGS" \
    -o "$PROGRAM_SCRATCH/bin/" "$2")
  scratch_remove "$PROGRAM_SCRATCH/src"
}

# venv_install REQUIREMENTS [PIP_ARGS...]: a venv in $PROGRAM_SCRATCH with REQUIREMENTS installed.
# Only bin/python is an entry point (a moved venv's pip scripts name the scratch path).
venv_install() {
  local req="$1"
  shift
  need_python3
  python3 -m venv "$PROGRAM_SCRATCH"
  "$PROGRAM_SCRATCH/bin/python" -m pip install --quiet --disable-pip-version-check "$@" -r "$req" >&2
}

# venv_ok REQUIREMENTS: the venv at $PROGRAM_DIR has every `name==version` of REQUIREMENTS installed.
# Reads the packages' metadata rather than importing them (import kfp alone takes seconds).
venv_ok() {
  "$PROGRAM_DIR/bin/python" - "$1" <<'PY'
import importlib.metadata as m, re, sys
for line in open(sys.argv[1]):
    pin = re.match(r"\s*([A-Za-z0-9_.-]+)==(\S+)", line)
    if pin and m.version(pin[1]) != pin[2]:
        sys.exit(f"{pin[1]} is {m.version(pin[1])}, not {pin[2]}")
PY
}

# requirements_key FILE: the version of a venv program, a hash of its requirements (comments aside).
requirements_key() { grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$1" | sha256sum | cut -c1-12; }

# pinned_venv_recipe REQUIREMENTS PACKAGE: a whole recipe for a venv whose requirements (relative to the
# repository) pin the whole closure: installed with --no-deps, so nothing unpinned sneaks in; the
# version is the requirements' hash, so a bump builds a new venv; the entry point is bin/python.
pinned_venv_recipe() {
  PINNED_REQUIREMENTS="$PROGRAMS_ROOT/$1"
  PROGRAM_VERSION=$(requirements_key "$PINNED_REQUIREMENTS")
  PROGRAM_SOURCE="PyPI $(grep "^$2==" "$PINNED_REQUIREMENTS") ($1)"
  program_path() { echo "$PROGRAM_DIR/bin/python"; }
  program_ok() { venv_ok "$PINNED_REQUIREMENTS"; }
  program_build() { venv_install "$PINNED_REQUIREMENTS" --no-deps; }
}

# --- for build.sh -----------------------------------------------------------------------------

# program_load NAME: sources the recipe and sets PROGRAM_NAME/PROGRAM_DIR.
program_load() {
  PROGRAM_NAME="$1"
  local recipe="$PROGRAMS_HOME/$1.sh"
  [[ -f $recipe ]] || return 2
  # shellcheck source=/dev/null
  source "$recipe"
  : "${PROGRAM_VERSION:?$recipe sets no PROGRAM_VERSION}" "${PROGRAM_SOURCE:?$recipe sets no PROGRAM_SOURCE}"
  for f in program_path program_ok program_build; do
    declare -F "$f" >/dev/null || programs_die "$recipe defines no $f"
  done
  if [[ $PROGRAM_NAME == *-"$PROGRAM_VERSION" ]]; then
    PROGRAM_DIR="$PROGRAMS_CACHE/$PROGRAM_NAME"
  else
    PROGRAM_DIR="$PROGRAMS_CACHE/$PROGRAM_NAME-$PROGRAM_VERSION"
  fi
}

# program_cached: the recipe's check, quietly (a missing program is the ordinary case).
program_cached() { program_ok >/dev/null 2>&1; }

# program_install: moves $PROGRAM_SCRATCH's entries into $PROGRAM_DIR. The old bin/ goes first and the
# new bin/ last, so until the whole program is in place its main binary is missing.
program_install() {
  local e entries=()
  for e in "$PROGRAM_SCRATCH"/* "$PROGRAM_SCRATCH"/.[!.]*; do
    [[ -e $e || -L $e ]] || continue
    [[ $(basename "$e") == bin ]] || entries+=("$(basename "$e")")
  done
  [[ -e $PROGRAM_SCRATCH/bin ]] && entries+=(bin)
  ((${#entries[@]})) || programs_die "$PROGRAM_NAME: program_build left nothing in \$PROGRAM_SCRATCH"
  rm -rf "${PROGRAM_DIR:?}/bin"
  for e in "${entries[@]}"; do
    rm -rf "${PROGRAM_DIR:?}/$e"
    mv "$PROGRAM_SCRATCH/$e" "$PROGRAM_DIR/$e"
  done
}

# scratch_remove DIR...: rm -rf, also of read-only copies out of the module cache.
scratch_remove() {
  local d
  for d in "$@"; do
    [[ -e $d ]] || continue
    chmod -R u+w "$d" 2>/dev/null || true
    rm -rf "$d"
  done
}

# program_ensure: "cached", or build under the program's lock. Logs one line with the time taken.
program_ensure() {
  local start=$SECONDS
  if [[ ${MICROFLOW_FORCE_REBUILD:-} != 1 ]] && program_cached; then
    programs_log "$PROGRAM_NAME: cached"
    return 0
  fi
  mkdir -p "$PROGRAMS_CACHE/locks" "$PROGRAM_DIR"
  exec 9>"$PROGRAMS_CACHE/locks/$PROGRAM_NAME.lock"
  flock 9
  # Built by another caller while this one waited.
  if [[ ${MICROFLOW_FORCE_REBUILD:-} != 1 ]] && program_cached; then
    programs_log "$PROGRAM_NAME: cached (built by another caller; waited $((SECONDS - start))s)"
    return 0
  fi
  programs_log "$PROGRAM_NAME: building $PROGRAM_SOURCE"
  # Left by builds that died (this caller holds the lock, so no build is using them).
  scratch_remove "$PROGRAM_DIR"/.scratch.*
  PROGRAM_SCRATCH=$(mktemp -d "$PROGRAM_DIR/.scratch.XXXXXX")
  program_build
  program_install
  scratch_remove "$PROGRAM_SCRATCH"
  program_cached || programs_die "$PROGRAM_NAME: does not check out after its build (program_ok fails)"
  programs_log "$PROGRAM_NAME: built in $((SECONDS - start))s"
}
