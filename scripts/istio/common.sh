# shellcheck shell=bash
# Shared by the Istio scripts: the pinned release and where its source is. Sourced, not executed.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../vendor/istio/release.env
source "$ROOT/vendor/istio/release.env"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# Prints the directory of the pinned istio.io/istio module source in the Go module cache,
# downloading it (about 60 MB, no build) when absent.
istio_source_dir() {
  command -v go >/dev/null || { echo "istio: the go command is needed to fetch ${ISTIO_MODULE}@${ISTIO_MODULE_VERSION}" >&2; return 1; }
  go mod download -json "${ISTIO_MODULE}@${ISTIO_MODULE_VERSION}" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s);
      if (m.Error || !m.Dir) { console.error(`istio: go mod download failed: ${m.Error}`); process.exit(1); }
      console.log(m.Dir);
    });'
}

# The release's own CRD file (what its base chart and istioctl install).
istio_crd_file() {
  local dir
  dir=$(istio_source_dir) || return 1
  echo "$dir/manifests/charts/base/files/crd-all.gen.yaml"
}
