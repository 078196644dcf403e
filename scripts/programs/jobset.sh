# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# The JobSet controller, which Trainer v2.3.0 runs its TrainJobs on: issue #22.
PROGRAM_VERSION=v0.12.0
# The controller is the module's root package (main.go); cmd/ only holds the in-place-restart agent.
PROGRAM_SOURCE=sigs.k8s.io/jobset@$PROGRAM_VERSION
GO_LDFLAGS="-X sigs.k8s.io/jobset/pkg/version.GitVersion=$PROGRAM_VERSION"
program_path() { echo "$PROGRAM_DIR/bin/jobset"; }
# It logs its version only once connected to a cluster, and built as the main module from a copy its
# build info says "(devel)" and (with -trimpath) records no -ldflags: the check is a stamp the build
# writes beside it, plus --help to prove it starts.
program_ok() {
  [[ $(cat "$PROGRAM_DIR/bin/.recipe" 2>/dev/null) == "$PROGRAM_SOURCE $GO_LDFLAGS" ]] &&
    "$(program_path)" --help >/dev/null 2>&1
}
# `go install sigs.k8s.io/jobset@v0.12.0` fails: it asks the proxy for the module's version list (to
# look for a deprecation notice), which the proxy here refuses (403). Building a copy of the module
# asks for nothing but the pinned version.
program_build() {
  go_build_module "$PROGRAM_SOURCE" . && echo "$PROGRAM_SOURCE $GO_LDFLAGS" >"$PROGRAM_SCRATCH/bin/.recipe"
}
