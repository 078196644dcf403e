# shellcheck shell=bash  # a recipe: sourced by build.sh after lib.sh
# Debian bookworm's etcd for Kubernetes 1.28 in test/cluster.
source "$PROGRAMS_ROOT/test/cluster/recipes.sh"
etcd_debian_recipe 3.4.23
