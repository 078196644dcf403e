# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Istio's pilot-discovery (the real gateway's control plane): issue #21. Same module, version and
# stamping as istioctl (scripts/programs/istioctl.sh), so right after it most packages are cached.
# shellcheck source=../../vendor/istio/release.env
source "$PROGRAMS_ROOT/vendor/istio/release.env"
PROGRAM_VERSION=$ISTIO_MODULE_VERSION
PROGRAM_SOURCE=$ISTIO_MODULE/pilot/cmd/pilot-discovery@$PROGRAM_VERSION
# Only the revision is stamped; the version comes from the code base (the 1.30 line).
GO_LDFLAGS="-X istio.io/istio/pkg/version.buildGitRevision=${ISTIO_MODULE_VERSION##*-} -X istio.io/istio/pkg/version.buildStatus=Clean"
program_path() { echo "$PROGRAM_DIR/bin/pilot-discovery"; }
program_ok() { "$(program_path)" version 2>/dev/null | grep -q -- "${ISTIO_MODULE_VERSION##*-}"; }
program_build() { go_install "$PROGRAM_SOURCE"; }
