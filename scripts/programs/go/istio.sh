# shellcheck shell=bash disable=SC2034  # sourced by the Istio recipes (istioctl, istiod, pilot-agent)
# istio_recipe PACKAGE BINARY VERSION-ARGS...: a program of the pinned Istio source (vendor/istio/release.env), all built
# from one module at one version with one stamping, so after the first the rest reuse most of the Go
# build cache. Only the revision is stamped: the version comes from the code base (the 1.30 line), and
# istioctl's analyzer links point at istio.io/v1.30. The version probe cannot see the flags, so
# bin/.recipe records them.
# shellcheck source=../../../vendor/istio/release.env
source "$PROGRAMS_ROOT/vendor/istio/release.env"
istio_recipe() {
  ISTIO_BINARY=$2
  ISTIO_VERSION_ARGS=("${@:3}")
  PROGRAM_VERSION=$ISTIO_MODULE_VERSION
  PROGRAM_SOURCE=$ISTIO_MODULE/$1@$ISTIO_MODULE_VERSION
  GO_LDFLAGS="-X istio.io/istio/pkg/version.buildGitRevision=${ISTIO_MODULE_VERSION##*-} -X istio.io/istio/pkg/version.buildStatus=Clean"
  ISTIO_RECIPE="$PROGRAM_VERSION -s -w $GO_LDFLAGS"
}
program_path() { echo "$PROGRAM_DIR/bin/$ISTIO_BINARY"; }
# The stamp names the source and flags; the version command proves the binary runs.
program_ok() {
  [[ "$(cat "$PROGRAM_DIR/bin/.recipe" 2>/dev/null)" == "$ISTIO_RECIPE" ]] && "$(program_path)" "${ISTIO_VERSION_ARGS[@]}" >/dev/null 2>&1
}
program_build() {
  go_install "$PROGRAM_SOURCE"
  echo "$ISTIO_RECIPE" >"$PROGRAM_SCRATCH/bin/.recipe"
}
