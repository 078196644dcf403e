# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Istio's pilot-agent (the real gateway's proxy agent): issue #21. It writes Envoy's bootstrap from a
# template the proxyv2 image carries at /var/lib/istio/envoy/envoy_bootstrap_tmpl.json; the recipe keeps
# the pinned source's copy beside the binary (share/), so a warm cache needs no Go module cache.
source "$PROGRAMS_HOME/go/istio.sh"
istio_recipe pilot/cmd/pilot-agent pilot-agent version
ISTIO_BOOTSTRAP=share/envoy_bootstrap_tmpl.json
program_ok() {
  [[ -s $PROGRAM_DIR/$ISTIO_BOOTSTRAP && "$(cat "$PROGRAM_DIR/bin/.recipe" 2>/dev/null)" == "$ISTIO_RECIPE" ]] &&
    "$(program_path)" "${ISTIO_VERSION_ARGS[@]}" >/dev/null 2>&1
}
program_build() {
  go_install "$PROGRAM_SOURCE"
  mkdir -p "$PROGRAM_SCRATCH/share"
  cp "$(go env GOMODCACHE)/$ISTIO_MODULE@$ISTIO_MODULE_VERSION/tools/packaging/common/envoy_bootstrap.json" \
    "$PROGRAM_SCRATCH/$ISTIO_BOOTSTRAP"
  echo "$ISTIO_RECIPE" >"$PROGRAM_SCRATCH/bin/.recipe"
}
