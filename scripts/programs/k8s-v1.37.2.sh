# shellcheck shell=bash  # a recipe: sourced by build.sh after lib.sh
# Kubernetes v1.37.2's control plane for test/cluster (MICROFLOW_K8S=current): the newest release that builds with Go 1.26.
source "$PROGRAMS_ROOT/test/cluster/recipes.sh"
k8s_recipe v1.37.2 ""
