# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Katib's db-manager (gRPC :6789, observation logs in MySQL): issue #22.
source "$PROGRAMS_HOME/go/katib.sh"
katib_recipe db-manager katib-db-manager
