# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# istioctl of the pinned Istio source: the analyze and vendor-drift tests and scripts/istio/vendor.sh run it.
source "$PROGRAMS_HOME/go/istio.sh"
istio_recipe istioctl/cmd/istioctl istioctl version --remote=false --short
