# shellcheck shell=bash  # a recipe: sourced by build.sh after lib.sh
# kwok v0.7.0 (fake kubelet + stages) for Kubernetes 1.28 in test/cluster.
source "$PROGRAMS_ROOT/test/cluster/recipes.sh"
kwok_recipe v0.7.0
