# shellcheck shell=bash  # a recipe: sourced by build.sh after lib.sh
# Kubernetes v1.28.15's control plane for test/cluster (MICROFLOW_K8S=1.28): the floor cdk8s-plus-28 targets.
source "$PROGRAMS_ROOT/test/cluster/recipes.sh"
k8s_recipe v1.28.15 841856557ef0f6a399096c42635d114d6f2cf7f4 # the tag's commit, stamped for /version
