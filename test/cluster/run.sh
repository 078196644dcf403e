#!/usr/bin/env bash
# `npm run test:cluster`: proves the rendered platform on real Kubernetes control planes, every
# profile variant on every Kubernetes version of the matrix (common.sh: 1.28, then current), one
# fresh cluster per variant (profiles share namespaces, so they never share a cluster).
#   MICROFLOW_K8S=current             run only this version (default: every version)
#   MICROFLOW_PROFILES="laptop cluster"  run only these, on every version (default: on current, the
#                                       three examples and laptop with SeaweedFS; on the 1.28 floor,
#                                       the laptop only: the whole matrix on both versions takes about
#                                       an hour warm on 2 cores, beyond CI's budget)
# Ends with one "N passed, N failed" line over every (version, profile) pair.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
# shellcheck source=common.sh
source "$HERE/common.sh"

versions=(${MICROFLOW_K8S:-${K8S_SELECTORS[*]}})
# Any API warning (deprecated API, unknown field, PodSecurity `warn`) fails the variant it came from.
export MICROFLOW_FAIL_ON_API_WARNINGS=1
ALL_PROFILES="laptop gpu-workstation cluster laptop+seaweedfs"
profiles_for() {
  if [[ -n ${MICROFLOW_PROFILES:-} ]]; then echo "$MICROFLOW_PROFILES"
  elif [[ $1 == current ]]; then echo "$ALL_PROFILES"
  else echo laptop
  fi
}
# Files that prove a command path (deploy/diff/status/destroy, Flux's engine) rather than a profile's
# objects run in some variants only, to keep the matrix inside CI's time budget; every variant still
# gets every stack file (platform, gateway, auth, pipelines, Argo, notebooks). A file missing from this
# table runs in every variant; readme and availability pick their variant themselves.
declare -A ONLY_IN=([commands]="laptop cluster" [gitops]="laptop+seaweedfs")
ignored_in() {
  local out=() file
  for file in "${!ONLY_IN[@]}"; do
    [[ " ${ONLY_IN[$file]} " == *" $1 "* ]] || out+=("--testPathIgnorePatterns" "/$file\\.test\\.ts$")
  done
  echo "${out[@]}"
}
failed=()
timings=()
total=0
now() { date +%s; }

# Flux's apply engine (test/gitops/flux-apply) is built once here, not inside a test's time budget.
echo "=== flux-apply (fluxcd/pkg/ssa)"
"$ROOT/test/gitops/build-flux-apply.sh" >/dev/null

for version in "${versions[@]}"; do
  t_version=$(now)
  read -r -a profiles <<< "$(profiles_for "$version")"
  total=$(( total + ${#profiles[@]} ))
  # The harness checks itself first, so a broken control plane is reported as such, not as a
  # platform failure (and the first run builds the binaries).
  echo "=== Kubernetes $version: control-plane harness self-check"
  if ! MICROFLOW_K8S="$version" "$HERE/with-cluster.sh" "$HERE/smoke.sh"; then
    for profile in "${profiles[@]}"; do failed+=("$version:$profile(self-check failed)"); done
    continue
  fi
  t_build=$(( $(now) - t_version ))
  for profile in "${profiles[@]}"; do
    echo "=== Kubernetes $version: control-plane suite, profile $profile"
    t_variant=$(now)
    # shellcheck disable=SC2046
    if ! MICROFLOW_K8S="$version" MICROFLOW_PROFILE="$profile" "$HERE/with-cluster.sh" npx jest -c jest.cluster.config.js --ci $(ignored_in "$profile"); then
      failed+=("$version:$profile")
    fi
    timings+=("$version/$profile: $(( $(now) - t_variant ))s")
  done
  timings+=("$version: $(( $(now) - t_version ))s (self-check incl. any build ${t_build}s)")
done

echo "control-plane timings: ${timings[*]:-none}"
passed=$(( total - ${#failed[@]} ))
((passed >= 0)) || passed=0
echo "control-plane variants: ${passed} passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[[ ${#failed[@]} -eq 0 ]]
