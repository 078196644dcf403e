#!/usr/bin/env bash
# Builds flux-apply (scripts/programs/flux-apply.sh) if missing and prints its path; kept for
# test/cluster/gitops.test.ts until it asks scripts/programs/build.sh --path itself.
set -euo pipefail
p="$(dirname "${BASH_SOURCE[0]}")/../../scripts/programs/build.sh"
"$p" flux-apply && exec "$p" --path flux-apply
