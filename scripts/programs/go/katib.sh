# shellcheck shell=bash disable=SC2034  # sourced by the Katib recipes (katib-controller, katib-db-manager)
# katib_recipe CMD BINARY: Katib v0.19.0's cmd/CMD/v1beta1, whose package (and so the binary go install
# writes) is named v1beta1. It prints no version: Go's build info says which module built it, and
# --help proves it starts (running it needs a cluster).
source "$PROGRAMS_HOME/go/built-from.sh"
katib_recipe() {
  KATIB_BINARY=$2
  PROGRAM_VERSION=v0.19.0
  PROGRAM_SOURCE=github.com/kubeflow/katib/cmd/$1/v1beta1@$PROGRAM_VERSION
}
program_path() { echo "$PROGRAM_DIR/bin/$KATIB_BINARY"; }
program_ok() {
  go_built_from "$(program_path)" github.com/kubeflow/katib "$PROGRAM_VERSION" && "$(program_path)" --help >/dev/null 2>&1
}
program_build() { go_install "$PROGRAM_SOURCE" && mv "$PROGRAM_SCRATCH/bin/v1beta1" "$PROGRAM_SCRATCH/bin/$KATIB_BINARY"; }
