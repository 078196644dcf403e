# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Katib's db-manager (gRPC :6789, observation logs in MySQL): issue #22.
source "$PROGRAMS_HOME/go/built-from.sh"
PROGRAM_VERSION=v0.19.0
PROGRAM_SOURCE=github.com/kubeflow/katib/cmd/db-manager/v1beta1@$PROGRAM_VERSION
program_path() { echo "$PROGRAM_DIR/bin/katib-db-manager"; }
# It prints no version: Go's build info says which module built it; --help proves it starts.
program_ok() {
  go_built_from "$(program_path)" github.com/kubeflow/katib "$PROGRAM_VERSION" && "$(program_path)" --help >/dev/null 2>&1
}
# Upstream's command package is named v1beta1, and so is the binary go install writes.
program_build() { go_install "$PROGRAM_SOURCE" && mv "$PROGRAM_SCRATCH/bin/v1beta1" "$PROGRAM_SCRATCH/bin/katib-db-manager"; }
