# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Dex, the OIDC provider of the real login: issue #21. Built through the wrapper module go/dex
# (its go.mod says why: the proxy cannot serve the release by its tag).
PROGRAM_VERSION=v2.45.1
PROGRAM_SOURCE="github.com/dexidp/dex@v0.0.0-20260303133905-11d2eeb52b42 (= $PROGRAM_VERSION) via scripts/programs/go/dex"
GO_LDFLAGS="-X main.version=$PROGRAM_VERSION"
program_path() { echo "$PROGRAM_DIR/bin/dex"; }
# The whole output first: `version | grep -q` under pipefail fails at random (grep exits first, SIGPIPE).
program_ok() { local out; out=$("$(program_path)" version 2>/dev/null) && grep -qw -- "$PROGRAM_VERSION" <<<"$out"; }
program_build() { go_build_wrapper "$PROGRAMS_HOME/go/dex" github.com/dexidp/dex/cmd/dex; }
