# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Katib's controller (experiments, suggestions, trials; its webhooks): issue #22.
source "$PROGRAMS_HOME/go/katib.sh"
katib_recipe katib-controller katib-controller
