#!/usr/bin/env bash
# Builds (or finds in the cache) the upstream programs that tests run natively.
#
#   test/native/build.sh [NAME...]          build what is missing (default: every program)
#   test/native/build.sh --path NAME        print the cached program's path; exit 3 if not built
#
# Programs (one build_<name>/path_<name> pair each; add yours the same way):
#   seaweedfs   weed, built from github.com/seaweedfs/seaweedfs at a pinned pseudo-version
#   s3-client   a Python venv with boto3 (pinned in s3-client.requirements.txt), for S3 checks
#   oauth2-proxy  the release lib/platform/images.ts pins, from github.com/oauth2-proxy/oauth2-proxy/v7
#
# Everything is cached by version under $MICROFLOW_CACHE (default ~/.cache/microflow), built into a
# scratch folder and moved into place, so an interrupted build never looks cached.
# Environment: MICROFLOW_CACHE, BUILD_PARALLELISM (go build -p, default 2).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
PAR="${BUILD_PARALLELISM:-2}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

log() { printf '[native %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s; }

# --- seaweedfs ------------------------------------------------------------------------------
# The newest source the module proxy serves; it reports 4.53 (weed/util/version), the release
# lib/platform/images.ts pins. Its go.mod has a replace directive, so `go install` refuses it:
# it is built as the main module from a copy of the module folder.
SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
SEAWEEDFS_PSEUDO=v0.0.0-20261109003541-7506e5f91cd6
SEAWEEDFS_VERSION=4.53
SEAWEEDFS_DIR="$CACHE_ROOT/seaweedfs-$SEAWEEDFS_VERSION-${SEAWEEDFS_PSEUDO##*-}"
path_seaweedfs() { echo "$SEAWEEDFS_DIR/weed"; }
ok_seaweedfs() { grep -q " $SEAWEEDFS_VERSION ${SEAWEEDFS_PSEUDO##*-}" <<<"$("$(path_seaweedfs)" version 2>/dev/null)"; }
build_seaweedfs() {
  local src tmp
  src=$(cd / && go mod download -json "$SEAWEEDFS_MODULE@$SEAWEEDFS_PSEUDO" | awk -F'"' '/"Dir":/ {print $4}')
  [[ -f $src/go.mod ]] || { log "ERROR: $SEAWEEDFS_MODULE@$SEAWEEDFS_PSEUDO not in the module cache"; return 1; }
  mkdir -p "$SEAWEEDFS_DIR"
  tmp=$(mktemp -d "$SEAWEEDFS_DIR/.build.XXXXXX")
  # Module cache files are read-only; the copy only needs to be readable.
  cp -r "$src" "$tmp/src"
  # -X COMMIT: `weed version` then names the source commit, which ok_seaweedfs checks.
  (cd "$tmp/src" && go build -p "$PAR" -trimpath \
    -ldflags "-s -w -X $SEAWEEDFS_MODULE/weed/util/version.COMMIT=${SEAWEEDFS_PSEUDO##*-}" -o "$tmp/weed" ./weed)
  mv -f "$tmp/weed" "$(path_seaweedfs)"
  chmod -R u+w "$tmp" && rm -rf "$tmp"
}

# --- s3-client --------------------------------------------------------------------------------
# boto3 in a venv keyed by the hash of its pinned requirements, so a bump builds a new one.
S3_REQUIREMENTS="$HERE/s3-client.requirements.txt"
S3_VENV="$CACHE_ROOT/venv-s3-client-$(sha256sum "$S3_REQUIREMENTS" | cut -c1-12)"
path_s3-client() { echo "$S3_VENV/bin/python"; }
ok_s3-client() { [[ -f $S3_VENV/.complete ]] && "$S3_VENV/bin/python" -c 'import boto3' 2>/dev/null; }
build_s3-client() {
  rm -rf "$S3_VENV"
  python3 -m venv "$S3_VENV"
  # --no-deps: the file pins the whole closure, so nothing unpinned sneaks in.
  "$S3_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$S3_REQUIREMENTS"
  touch "$S3_VENV/.complete"
}

# --- oauth2-proxy -----------------------------------------------------------------------------
# The same release as the image microflow pins (lib/platform/images.ts, key oauth2Proxy); -X stamps
# the version the way upstream's Makefile does, so `--version` proves which release runs.
OAUTH2_PROXY_VERSION=v7.15.6
OAUTH2_PROXY_DIR="$CACHE_ROOT/oauth2-proxy-$OAUTH2_PROXY_VERSION"
path_oauth2-proxy() { echo "$OAUTH2_PROXY_DIR/bin/oauth2-proxy"; }
ok_oauth2-proxy() { grep -q "^oauth2-proxy $OAUTH2_PROXY_VERSION " <<<"$("$(path_oauth2-proxy)" --version 2>/dev/null)"; }
build_oauth2-proxy() {
  local tmp
  mkdir -p "$OAUTH2_PROXY_DIR/bin"
  tmp=$(mktemp -d "$OAUTH2_PROXY_DIR/.build.XXXXXX")
  GOBIN="$tmp" go install -p "$PAR" -trimpath \
    -ldflags "-s -w -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$OAUTH2_PROXY_VERSION" \
    "github.com/oauth2-proxy/oauth2-proxy/v7@$OAUTH2_PROXY_VERSION"
  mv -f "$tmp/oauth2-proxy" "$(path_oauth2-proxy)"
  rm -rf "$tmp"
}

PROGRAMS=(seaweedfs s3-client oauth2-proxy)

if [[ ${1:-} == --path ]]; then
  [[ $# -eq 2 ]] || { echo "usage: $0 --path NAME" >&2; exit 2; }
  declare -F "ok_$2" >/dev/null || { echo "unknown program $2 (known: ${PROGRAMS[*]})" >&2; exit 2; }
  "ok_$2" || exit 3
  "path_$2"
  exit 0
fi

wanted=("${@:-${PROGRAMS[@]}}")
missing=()
for name in "${wanted[@]}"; do
  declare -F "build_$name" >/dev/null || { log "unknown program $name (known: ${PROGRAMS[*]})"; exit 2; }
  if "ok_$name"; then log "$name: cached at $("path_$name")"; else missing+=("$name"); fi
done
((${#missing[@]})) || exit 0

mkdir -p "$CACHE_ROOT"
# One build at a time on this machine (the lock is shared with the control-plane harness's builds).
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
for name in "${missing[@]}"; do
  "ok_$name" && continue # built by someone else while we waited for the lock
  t=$(now)
  log "$name: building"
  "build_$name"
  "ok_$name" || { log "ERROR: $name does not check out after its build"; exit 1; }
  log "$name: built in $(($(now) - t))s at $("path_$name")"
done
