# shellcheck shell=bash  # a recipe: sourced by build.sh after lib.sh
# kwok v0.8.0, its newest release (built against client-go 0.36), for Kubernetes 1.37 in test/cluster.
source "$PROGRAMS_ROOT/test/cluster/recipes.sh"
kwok_recipe v0.8.0
