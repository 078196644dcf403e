# shellcheck shell=bash disable=SC2034  # a recipe: sourced by build.sh after lib.sh
# SeaweedFS's weed (S3 gateway, master, volume, filer) for the native data tests. The newest source
# the module proxy serves; it reports 4.53, the release lib/config/images.ts pins. Its go.mod has a
# replace directive, so `go install` refuses it: it is built as the main module.
SEAWEEDFS_PSEUDO=v0.0.0-20261109003541-7506e5f91cd6
PROGRAM_VERSION=4.53-${SEAWEEDFS_PSEUDO##*-}
PROGRAM_SOURCE=github.com/seaweedfs/seaweedfs@$SEAWEEDFS_PSEUDO
# `weed version` then names the source commit, which program_ok checks.
GO_LDFLAGS="-X github.com/seaweedfs/seaweedfs/weed/util/version.COMMIT=${SEAWEEDFS_PSEUDO##*-}"
program_path() { echo "$PROGRAM_DIR/bin/weed"; }
program_ok() { grep -q " ${PROGRAM_VERSION/-/ }" <<<"$("$(program_path)" version 2>/dev/null)"; }
program_build() { go_build_module "$PROGRAM_SOURCE" ./weed; }
