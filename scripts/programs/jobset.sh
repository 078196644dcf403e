# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# The JobSet controller, which Trainer v2.3.0 runs its TrainJobs on: issue #22.
source "$PROGRAMS_HOME/go/built-from.sh"
PROGRAM_VERSION=v0.12.0
# The controller is the module's root package (main.go); cmd/ only holds the in-place-restart agent.
PROGRAM_SOURCE=sigs.k8s.io/jobset@$PROGRAM_VERSION
GO_LDFLAGS="-X sigs.k8s.io/jobset/pkg/version.GitVersion=$PROGRAM_VERSION"
program_path() { echo "$PROGRAM_DIR/bin/jobset"; }
# It logs its version only once connected to a cluster: Go's build info says which module built it.
program_ok() {
  go_built_from "$(program_path)" sigs.k8s.io/jobset "$PROGRAM_VERSION" && "$(program_path)" --help >/dev/null 2>&1
}
program_build() { go_install "$PROGRAM_SOURCE"; }
