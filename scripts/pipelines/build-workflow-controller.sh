#!/usr/bin/env bash
# Builds Argo's workflow-controller (scripts/programs/argo-workflow-controller.sh) if missing and
# prints its path; kept for test/cluster/argo-controller.test.ts until it asks
# scripts/programs/build.sh --path itself.
set -euo pipefail
p="$(dirname "${BASH_SOURCE[0]}")/../../scripts/programs/build.sh"
"$p" argo-workflow-controller && exec "$p" --path argo-workflow-controller
