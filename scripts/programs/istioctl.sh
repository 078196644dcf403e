# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# istioctl of the pinned Istio source (vendor/istio/release.env): the analyze and vendor-drift tests
# and scripts/istio/vendor.sh run it.
source "$PROGRAMS_ROOT/vendor/istio/release.env"
PROGRAM_VERSION=$ISTIO_MODULE_VERSION
PROGRAM_SOURCE=$ISTIO_MODULE/istioctl/cmd/istioctl@$ISTIO_MODULE_VERSION
# Only the revision is stamped: left unset, the version comes from the code base (the 1.30 line) and
# the analyzer's documentation links point at istio.io/v1.30.
GO_LDFLAGS="-X istio.io/istio/pkg/version.buildGitRevision=${ISTIO_MODULE_VERSION##*-} -X istio.io/istio/pkg/version.buildStatus=Clean"
# The version probe cannot see the flags, so bin/.recipe records them.
ISTIOCTL_RECIPE="$PROGRAM_VERSION -s -w $GO_LDFLAGS"
program_path() { echo "$PROGRAM_DIR/bin/istioctl"; }
program_ok() {
  [[ "$(cat "$PROGRAM_DIR/bin/.recipe" 2>/dev/null)" == "$ISTIOCTL_RECIPE" ]] &&
    "$(program_path)" version --remote=false --short >/dev/null
}
program_build() {
  go_install "$PROGRAM_SOURCE"
  echo "$ISTIOCTL_RECIPE" >"$PROGRAM_SCRATCH/bin/.recipe"
}
