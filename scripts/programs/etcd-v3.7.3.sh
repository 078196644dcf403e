# shellcheck shell=bash  # a recipe: sourced by build.sh after lib.sh
# etcd v3.7.3 for Kubernetes 1.37 (needs >= 3.5.24, ships 3.7.0; Debian's 3.4 is too old).
source "$PROGRAMS_ROOT/test/cluster/recipes.sh"
etcd_build_recipe v3.7.3
