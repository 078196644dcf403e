# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# cyclonus, a NetworkPolicy engine: test/platform/reachability.test.ts asks it allowed/denied.
PROGRAM_VERSION=v0.5.6
PROGRAM_SOURCE=github.com/mattfenwick/cyclonus/cmd/cyclonus@$PROGRAM_VERSION
program_path() { echo "$PROGRAM_DIR/bin/cyclonus"; }
# v0.5.6 stamps no version (`version` prints an empty one): that it runs is the check.
program_ok() { "$(program_path)" version >/dev/null 2>&1; }
program_build() { go_install "$PROGRAM_SOURCE"; }
