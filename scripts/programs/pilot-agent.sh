# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Istio's pilot-agent (the real gateway's proxy agent): issue #21.
source "$PROGRAMS_HOME/go/istio.sh"
istio_recipe pilot/cmd/pilot-agent pilot-agent version
