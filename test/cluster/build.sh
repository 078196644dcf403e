#!/usr/bin/env bash
# Builds (or finds in the cache) everything one Kubernetes version of the test
# cluster needs (MICROFLOW_K8S=1.28|current, see common.sh):
#   - kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
#     compiled from the Go module proxy via the wrapper module k8s/<version>/
#   - kwok (fake kubelet) plus the upstream Stage YAMLs it is driven by
#   - etcd: Debian's etcd-server package (1.28), or built from the proxy via
#     the wrapper module etcd/<version>/ (current)
#
# Idempotent: when the cached binaries already report the expected versions it
# only checks and exits (a couple of seconds). Prints where everything is and
# how long each step took.
#
# Environment:
#   MICROFLOW_K8S    which version (default 1.28; see common.sh)
#   MICROFLOW_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/microflow)
#   BUILD_PARALLELISM  go build -p value (default 2; the k8s tree is memory hungry)
#   MICROFLOW_FORCE_REBUILD=1  ignore the cache and rebuild everything
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$HERE/common.sh"
K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

T_TOTAL=$(now)
mkdir -p "$BIN_DIR"

# --- version probes ---------------------------------------------------------
# A binary only counts as cached if it runs and reports the pinned version;
# that catches truncated files and builds without the -X version stamping.
k8s_binary_ok() {
  local bin="$BIN_DIR/$1" out
  [[ -x "$bin" ]] || return 1
  if [[ "$1" == kubectl ]]; then
    out=$("$bin" version --client -o json 2>/dev/null) || return 1
    grep -q "\"gitVersion\": \"$K8S_VERSION\"" <<<"$out"
  else
    out=$("$bin" --version 2>/dev/null) || return 1
    [[ "$out" == "Kubernetes $K8S_VERSION" ]]
  fi
}
kwok_ok() {
  [[ -x "$BIN_DIR/kwok" ]] && grep -q "version $KWOK_VERSION " <<<"$("$BIN_DIR/kwok" --version 2>/dev/null)"
}
stages_ok() {
  local f
  for f in "${STAGE_FILES[@]}"; do [[ -s "$STAGE_DIR/$(basename "$f")" ]] || return 1; done
}
etcd_version() { "$ETCD_BIN" --version 2>/dev/null | awk '/^etcd Version:/ {print $3}'; }
etcd_ok() {
  [[ -x "$ETCD_BIN" ]] || return 1
  local v
  v=$(etcd_version)
  if [[ $ETCD_SOURCE == build ]]; then
    [[ "v$v" == "$ETCD_VERSION" ]]
  else
    [[ -n "$v" ]] && [[ "$(printf '%s\n%s\n' "$ETCD_MIN_VERSION" "$v" | sort -V | head -n1)" == "$ETCD_MIN_VERSION" ]]
  fi
}

# Both version packages are stamped: component-base feeds the servers'
# --version and /version, client-go's is what kubectl reports as client.
ver_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ver_flags+=" -X $pkg.gitVersion=$K8S_VERSION"
  ver_flags+=" -X $pkg.gitMajor=$(cut -d. -f1 <<<"${K8S_VERSION#v}")"
  ver_flags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"${K8S_VERSION#v}")"
  ver_flags+=" -X $pkg.gitCommit=$K8S_GIT_COMMIT"
  ver_flags+=" -X $pkg.gitTreeState=clean"
done
K8S_LDFLAGS="-s -w$ver_flags"
# The version probe alone can't see a changed dependency pin or ldflags, so
# the binaries also carry a key of the recipe they were built from. (A new Go
# toolchain deliberately doesn't invalidate them; use MICROFLOW_FORCE_REBUILD.)
recipe_key() { cat "$K8S_MODULE_DIR/go.mod" "$K8S_MODULE_DIR/go.sum" <(echo "$K8S_LDFLAGS") | sha256sum | cut -c1-16; }

if [[ "${MICROFLOW_FORCE_REBUILD:-0}" == 1 ]]; then
  log "MICROFLOW_FORCE_REBUILD=1: discarding cached binaries"
  rm -f "$BIN_DIR"/* "$BIN_DIR"/.k8s-recipe && rm -rf "$STAGE_DIR"
  if [[ $ETCD_SOURCE == build ]]; then rm -f "$ETCD_BIN"; fi
fi

# Everything cached: no lock needed, so a warm check never waits behind another
# version's cold build.
recipe_ok() { [[ "$(cat "$BIN_DIR/.k8s-recipe" 2>/dev/null)" == "$(recipe_key)" ]]; }
if etcd_ok && recipe_ok && kwok_ok && stages_ok &&
  k8s_binary_ok kube-apiserver && k8s_binary_ok kube-controller-manager && k8s_binary_ok kube-scheduler && k8s_binary_ok kubectl; then
  log "Kubernetes $K8S_VERSION, kwok $KWOK_VERSION, etcd $(etcd_version): cached in $BIN_DIR ($(since "$T_TOTAL"))"
  exit 0
fi
# Two with-cluster.sh runs started together must not build into the same
# directory at once; the second simply waits and then takes the fast path.
# One lock for every version and for test/native/build.sh: on 2 cores, two
# builds at once only thrash (each Kubernetes compile peaks at ~1.75 GB).
exec 9>"$CACHE_ROOT/.build.lock"
flock 9

# --- Go toolchain -----------------------------------------------------------
# GOTOOLCHAIN=local: never let the go command download another toolchain
# behind our back. Go 1.26 builds both trees as-is (see README); each wrapper
# module keeps its Kubernetes' own `go` line (1.20 for 1.28, which also keeps
# the pre-1.21 GODEBUG defaults that code was written against; 1.26.0 for
# 1.37). Override GOTOOLCHAIN (e.g. go1.22.12) to pin one.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0
PAR="${BUILD_PARALLELISM:-2}"

need_go() {
  command -v go >/dev/null 2>&1 || [[ -x /usr/local/go/bin/go ]] || { log "ERROR: go not found"; exit 1; }
  command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
}

# --- etcd ---------------------------------------------------------------------
T=$(now)
if ! etcd_ok; then
  if [[ $ETCD_SOURCE == build ]]; then
    need_go
    log "building etcd $ETCD_VERSION (-p $PAR)"
    etcd_dir=$(dirname "$ETCD_BIN")
    mkdir -p "$etcd_dir"
    tmp_etcd=$(mktemp -d "$etcd_dir/.build.XXXXXX")
    # The module's root package is etcd's main (it calls etcdmain.Main); go.mod
    # names it as a tool, so go.sum pins its whole dependency graph.
    (cd "$ETCD_MODULE_DIR" && go build -p "$PAR" -trimpath -ldflags "-s -w" -o "$tmp_etcd/etcd" go.etcd.io/etcd/server/v3)
    mv -f "$tmp_etcd/etcd" "$ETCD_BIN"
    rm -rf "$tmp_etcd"
  elif [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing etcd-server from apt"
    # The package's postinst registers a systemd unit; under systemd it may
    # start a system etcd on 2379. That never matters to us: our etcd runs with
    # its own data dir on random free ports.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
    ETCD_BIN=$(command -v etcd || echo /usr/bin/etcd)
  else
    log "ERROR: etcd >= $ETCD_MIN_VERSION not found on PATH and cannot apt-get install etcd-server (need root + apt)"
    exit 1
  fi
  etcd_ok || { log "ERROR: etcd at $ETCD_BIN does not report ${ETCD_VERSION:->= $ETCD_MIN_VERSION} after install"; exit 1; }
  log "etcd ready ($(since "$T"))"
fi
log "etcd: $ETCD_BIN $(etcd_version) ($(since "$T"))"

# --- Kubernetes -------------------------------------------------------------
T=$(now)
recipe_key=$(recipe_key)
KEY_FILE="$BIN_DIR/.k8s-recipe"
missing=()
if ! recipe_ok; then
  missing=("${K8S_CMDS[@]}")
else
  for c in "${K8S_CMDS[@]}"; do k8s_binary_ok "$c" || missing+=("$c"); done
fi
if ((${#missing[@]})); then
  need_go
  log "building ${missing[*]} $K8S_VERSION with $(go version | awk '{print $3}') (-p $PAR); a cold build takes ~6-12 min on 2 cores"
  # Build into a scratch dir and move into place, so an interrupted build
  # never leaves a half-written binary that looks cached.
  tmp_out=$(mktemp -d "$CACHE_DIR/.bin-build.XXXXXX")
  trap 'rm -rf "$tmp_out"' EXIT
  pkgs=()
  for c in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  rm -f "$KEY_FILE"
  # go.sum in the wrapper module pins every dependency; the default -mod=readonly refuses
  # to silently change it.
  (cd "$K8S_MODULE_DIR" && go build -p "$PAR" -trimpath -ldflags "$K8S_LDFLAGS" -o "$tmp_out/" "${pkgs[@]}")
  for c in "${missing[@]}"; do mv -f "$tmp_out/$c" "$BIN_DIR/$c"; done
  rm -rf "$tmp_out"
  trap - EXIT
  for c in "${K8S_CMDS[@]}"; do
    k8s_binary_ok "$c" || { log "ERROR: $c does not report $K8S_VERSION after build"; exit 1; }
  done
  echo "$recipe_key" >"$KEY_FILE"
  log "kubernetes built ($(since "$T"))"
else
  log "kubernetes $K8S_VERSION: cached in $BIN_DIR ($(since "$T"))"
fi

# --- kwok ---------------------------------------------------------------------
T=$(now)
if ! kwok_ok; then
  need_go
  log "building kwok $KWOK_VERSION"
  # kwok's go.mod has no replace directives, so `go install mod@version`
  # works and pins via the module proxy + checksum database.
  GOBIN="$BIN_DIR" go install -p "$PAR" -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  kwok_ok || { log "ERROR: kwok does not report $KWOK_VERSION after build"; exit 1; }
  log "kwok built ($(since "$T"))"
else
  log "kwok $KWOK_VERSION: cached ($(since "$T"))"
fi

T=$(now)
if ! stages_ok; then
  need_go
  # Make sure the module source is in the module cache (no-op after the build
  # above, needed when only the stage dir was lost).
  # Run outside any module so the query doesn't touch a wrapper go.mod.
  kwok_src=$(cd / && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | awk -F'"' '/"Dir":/ {print $4}')
  [[ -d "$kwok_src/kustomize/stage" ]] || { log "ERROR: kwok stage dir not found in $kwok_src"; exit 1; }
  mkdir -p "$STAGE_DIR"
  for f in "${STAGE_FILES[@]}"; do
    # Module cache files are read-only; copy without preserving mode so we can
    # overwrite them on the next refresh.
    install -m 0644 "$kwok_src/kustomize/stage/$f" "$STAGE_DIR/$(basename "$f")"
  done
  log "kwok stages copied from $kwok_src ($(since "$T"))"
fi

log "bin dir: $BIN_DIR"
log "stages:  $STAGE_DIR"
log "total $(since "$T_TOTAL")"
