# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# Argo's workflow-controller at the pinned release (vendor/argo-workflows/release.env), which the
# control-plane suite runs against its API server.
source "$PROGRAMS_ROOT/vendor/argo-workflows/release.env"
PROGRAM_VERSION=$ARGO_VERSION
PROGRAM_SOURCE=$ARGO_MODULE/cmd/workflow-controller@$ARGO_VERSION
# The version stamp the release build sets, so `workflow-controller version` names the release.
GO_LDFLAGS="-X github.com/argoproj/argo-workflows/v4.version=$ARGO_VERSION"
program_path() { echo "$PROGRAM_DIR/bin/workflow-controller"; }
# The whole output first, then grep: `version | grep -q` under pipefail fails at random when grep
# exits at the first match and the program is still writing (SIGPIPE, exit 141).
program_ok() { grep -q "$PROGRAM_VERSION" <<<"$("$(program_path)" version 2>/dev/null)"; }
program_build() { go_install "$PROGRAM_SOURCE"; }
