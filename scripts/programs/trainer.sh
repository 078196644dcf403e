# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Kubeflow Trainer's controller manager (TrainJob, TrainingRuntime; needs jobset): issue #22.
source "$PROGRAMS_HOME/go/built-from.sh"
PROGRAM_VERSION=v2.3.0
PROGRAM_SOURCE=github.com/kubeflow/trainer/v2/cmd/trainer-controller-manager@$PROGRAM_VERSION
program_path() { echo "$PROGRAM_DIR/bin/trainer-controller-manager"; }
# It prints no version: Go's build info says which module built it; --help proves it starts.
program_ok() {
  go_built_from "$(program_path)" github.com/kubeflow/trainer/v2 "$PROGRAM_VERSION" && "$(program_path)" --help >/dev/null 2>&1
}
program_build() { go_install "$PROGRAM_SOURCE"; }
