# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# controller-gen v0.14.0, the version upstream's Notebook CRD names: scripts/notebooks/generate-crds.sh
# runs it. Built through the wrapper module next to this file: controller-tools v0.14.0 pins
# golang.org/x/tools v0.16.1, which no longer compiles with Go >= 1.23, so the module lifts it.
PROGRAM_VERSION=v0.14.0
PROGRAM_SOURCE=sigs.k8s.io/controller-tools/cmd/controller-gen@$PROGRAM_VERSION
CONTROLLER_GEN_MODULE="$PROGRAMS_HOME/controller-gen"
program_path() { echo "$PROGRAM_DIR/bin/controller-gen"; }
# Built inside a wrapper module it reports "(devel)": bin/.recipe (the module's hash) pins the version.
program_ok() { wrapper_ok "$CONTROLLER_GEN_MODULE" && "$(program_path)" --help >/dev/null; }
program_build() { go_build_wrapper "$CONTROLLER_GEN_MODULE" sigs.k8s.io/controller-tools/cmd/controller-gen; }
