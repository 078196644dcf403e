# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# KServe's controller manager (InferenceService etc.): issue #23. Built through the wrapper module
# go/kserve (its go.mod says why: upstream's replace lines make `go install` refuse the module).
source "$PROGRAMS_HOME/go/built-from.sh"
PROGRAM_VERSION=v0.20.0
PROGRAM_SOURCE="github.com/kserve/kserve/cmd/manager@$PROGRAM_VERSION via scripts/programs/go/kserve"
program_path() { echo "$PROGRAM_DIR/bin/kserve-manager"; }
# It prints no version: Go's build info says which module built it; --help proves it starts.
program_ok() {
  go_built_from "$(program_path)" github.com/kserve/kserve "$PROGRAM_VERSION" && "$(program_path)" --help >/dev/null 2>&1
}
program_build() {
  go_build_wrapper "$PROGRAMS_HOME/go/kserve" github.com/kserve/kserve/cmd/manager &&
    mv "$PROGRAM_SCRATCH/bin/manager" "$PROGRAM_SCRATCH/bin/kserve-manager"
}
