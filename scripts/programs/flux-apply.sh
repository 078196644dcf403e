# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# flux-apply (test/gitops/flux-apply): applies microflow's Flux layout with Flux's own apply engine,
# github.com/fluxcd/pkg/ssa, whose version its go.mod pins.
FLUX_APPLY_SRC="$PROGRAMS_ROOT/test/gitops/flux-apply"
PROGRAM_VERSION=$(awk '$1 == "github.com/fluxcd/pkg/ssa" { print $2 }' "$FLUX_APPLY_SRC/go.mod")
PROGRAM_SOURCE="test/gitops/flux-apply with github.com/fluxcd/pkg/ssa@$PROGRAM_VERSION"
program_path() { echo "$PROGRAM_DIR/bin/flux-apply"; }
# Our own source: bin/.recipe (its hash) says whether the binary is current.
program_ok() { wrapper_ok "$FLUX_APPLY_SRC" && [[ -x $(program_path) ]]; }
program_build() { go_build_wrapper "$FLUX_APPLY_SRC" .; }
