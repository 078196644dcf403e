#!/usr/bin/env bash
# Builds Argo's workflow-controller at the pinned release (vendor/argo-workflows/release.env) into
# the shared cache and prints its path:
#   ${MICROFLOW_CACHE:-~/.cache/microflow}/argo-workflow-controller-<version>/bin/workflow-controller
# Idempotent: a cached binary that reports the pinned version is reused (well under a second); a cold
# build takes about 2.5 minutes on 2 cores. A lock keeps concurrent runs from building twice.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

cache_root="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
dir="$cache_root/argo-workflow-controller-${ARGO_VERSION}"
bin="$dir/bin/workflow-controller"
# The whole output first, then grep: `version | grep -q` under pipefail fails at random when grep
# exits at the first match and the program is still writing (SIGPIPE, exit 141).
cached() { [ -x "$bin" ] && grep -q "${ARGO_VERSION}" <<<"$("$bin" version 2>/dev/null)"; }

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if ! cached || [ "${MICROFLOW_FORCE_REBUILD:-}" = 1 ]; then
  command -v go >/dev/null || { echo "build-workflow-controller: the go command is needed (Go 1.26 or later)" >&2; exit 1; }
  echo "build-workflow-controller: building ${ARGO_MODULE}/cmd/workflow-controller@${ARGO_VERSION} (about 2.5 min cold)" >&2
  start=$(date +%s)
  tmp=$(mktemp -d "$dir/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # The version stamp the release build sets, so `workflow-controller version` names the release.
  CGO_ENABLED=0 GOBIN="$tmp" go install -p "${BUILD_PARALLELISM:-2}" -trimpath \
    -ldflags "-s -w -X github.com/argoproj/argo-workflows/v4.version=${ARGO_VERSION}" \
    "${ARGO_MODULE}/cmd/workflow-controller@${ARGO_VERSION}"
  mkdir -p "$dir/bin"
  mv "$tmp/workflow-controller" "$bin"
  echo "build-workflow-controller: built in $(( $(date +%s) - start )) s" >&2
  cached || { echo "build-workflow-controller: the built binary does not report ${ARGO_VERSION}" >&2; exit 1; }
fi
echo "$bin"
