# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# oauth2-proxy, the release lib/config/images.ts pins (key oauth2Proxy), for the login's native
# tests. -X stamps the version as upstream's Makefile does, so `--version` proves which release runs.
PROGRAM_VERSION=v7.15.6
PROGRAM_SOURCE=github.com/oauth2-proxy/oauth2-proxy/v7@$PROGRAM_VERSION
GO_LDFLAGS="-X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$PROGRAM_VERSION"
program_path() { echo "$PROGRAM_DIR/bin/oauth2-proxy"; }
program_ok() { grep -q "^oauth2-proxy $PROGRAM_VERSION " <<<"$("$(program_path)" --version 2>/dev/null)"; }
program_build() { go_install "$PROGRAM_SOURCE"; }
