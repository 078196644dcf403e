#!/usr/bin/env bash
# `npm run test:cluster`: proves the rendered platform on a real Kubernetes 1.28 control plane,
# one fresh cluster per example profile (profiles share namespaces, so they never share a cluster).
#   MICROFLOW_PROFILES="laptop cluster"  run only these (default: the three examples, and laptop with SeaweedFS)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

profiles=(${MICROFLOW_PROFILES:-laptop gpu-workstation cluster laptop+seaweedfs})
failed=()

# The harness checks itself first, so a broken control plane is reported as such, not as a
# platform failure.
# Flux's apply engine (test/gitops/flux-apply) is built once here, not inside a test's time budget.
echo "=== flux-apply (fluxcd/pkg/ssa)"
"$ROOT/test/gitops/build-flux-apply.sh" >/dev/null

echo "=== control-plane harness self-check"
"$HERE/with-cluster.sh" "$HERE/smoke.sh"

for profile in "${profiles[@]}"; do
  echo "=== control-plane suite: profile $profile"
  if ! MICROFLOW_PROFILE="$profile" "$HERE/with-cluster.sh" npx jest -c jest.cluster.config.js --ci; then
    failed+=("$profile")
  fi
done

passed=$(( ${#profiles[@]} - ${#failed[@]} ))
echo "control-plane profiles: ${passed} passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[[ ${#failed[@]} -eq 0 ]]
