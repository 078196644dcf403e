# shellcheck shell=bash
# go_built_from BIN MODULE VERSION: BIN is a Go program built from MODULE at VERSION (as its main
# module or a dependency of a wrapper module), read from the build info Go embeds in every binary.
# For controllers that print no version: running them needs a cluster, reading them does not.
# Sourced by the recipes in scripts/programs/ that need it (a candidate for lib.sh).
go_built_from() {
  [[ -x $1 ]] && go version -m "$1" 2>/dev/null |
    awk -v m="$2" -v v="$3" '($1 == "mod" || $1 == "dep") && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}
