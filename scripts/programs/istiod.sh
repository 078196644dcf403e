# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Istio's pilot-discovery (the real gateway's control plane): issue #21.
source "$PROGRAMS_HOME/go/istio.sh"
istio_recipe pilot/cmd/pilot-discovery pilot-discovery version
