#!/usr/bin/env bash
# `npm run test:cluster`: proves the rendered platform on real Kubernetes control planes, every
# profile variant on every Kubernetes version of the matrix (common.sh: 1.28, then current), one
# fresh cluster per variant (profiles share namespaces, so they never share a cluster).
#   MICROFLOW_K8S=current                run only this version (default: every version)
#   MICROFLOW_PROFILES="laptop cluster"  run only these variants (default: all four)
#   MICROFLOW_CLUSTER_JOBS=N             variants run at once, each on its own cluster (default 2:
#                                        a variant mostly waits on controllers, about one core busy)
# Each variant's output is kept in a log and printed whole when it ends. Ends with one
# "N passed, N failed" line over every (version, profile) pair.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
# shellcheck source=common.sh
source "$HERE/common.sh"

versions=(${MICROFLOW_K8S:-${K8S_SELECTORS[*]}})
read -r -a profiles <<< "${MICROFLOW_PROFILES:-laptop gpu-workstation cluster laptop+seaweedfs}"
jobs_max=${MICROFLOW_CLUSTER_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "MICROFLOW_CLUSTER_JOBS=$jobs_max: expected a whole number >= 1" >&2; exit 2; }
# Any API warning (deprecated API, unknown field, PodSecurity `warn`) fails the variant it came from.
export MICROFLOW_FAIL_ON_API_WARNINGS=1
# Files that prove a command path (deploy/diff/status/destroy, Flux's engine) rather than a profile's
# objects run in some variants only; every variant gets every stack file (platform, gateway, auth,
# pipelines, Argo, notebooks). A file missing from this table runs in every variant; readme and
# availability pick their variant themselves.
declare -A ONLY_IN=([commands]="laptop cluster" [gitops]="laptop+seaweedfs")
ignored_in() {
  local out=() file
  for file in "${!ONLY_IN[@]}"; do
    [[ " ${ONLY_IN[$file]} " == *" $1 "* ]] || out+=("--testPathIgnorePatterns" "/$file\\.test\\.ts$")
  done
  echo "${out[@]}"
}
now() { date +%s; }
logs=$(mktemp -d)
declare -A started=() names=()
# Stopping this script stops the variants (each tears its cluster down on TERM).
trap 'for p in "${!names[@]}"; do kill "$p" 2>/dev/null || true; done; wait; rm -rf "$logs"' EXIT
failed=()
timings=()
t_all=$(now)

# Built once here, not inside a test's time budget (and not by two variants at once).
echo "=== flux-apply (fluxcd/pkg/ssa), Argo workflow-controller"
"$ROOT/scripts/programs/build.sh" flux-apply argo-workflow-controller

# The harness checks itself first (and the first run builds its binaries), so a broken control plane
# is reported as such, not as a platform failure.
queue=()
for version in "${versions[@]}"; do
  echo "=== Kubernetes $version: control-plane harness self-check"
  t=$(now)
  if MICROFLOW_K8S="$version" "$HERE/with-cluster.sh" "$HERE/smoke.sh"; then
    for profile in "${profiles[@]}"; do queue+=("$version:$profile"); done
  else
    for profile in "${profiles[@]}"; do failed+=("$version:$profile(self-check failed)"); done
  fi
  timings+=("$version self-check incl. any build: $(( $(now) - t ))s")
done

# The variants, $jobs_max at a time, the slowest (cluster) first so the slots end together.
mapfile -t queue < <(printf '%s\n' "${queue[@]}" | awk -F: '{ print ($2 == "cluster" ? 0 : 1) "\t" $0 }' | sort -s -k1,1n | cut -f2-)
finish() { # pid rc
  local name=${names[$1]}
  echo "=== end of $name (exit $2, $(( $(now) - started[$1] ))s): its output follows"
  cat "$logs/${name//[:+]/_}.log"
  timings+=("${name/:/\/}: $(( $(now) - started[$1] ))s")
  [[ $2 -eq 0 ]] || failed+=("$name")
  unset "names[$1]" "started[$1]"
}
# Waits for any running variant to end and reports it.
reap_one() {
  local done_pid rc
  set +e; wait -n -p done_pid "${!names[@]}"; rc=$?; set -e
  finish "$done_pid" "$rc"
}
for pair in "${queue[@]}"; do
  while (( ${#names[@]} >= jobs_max )); do reap_one; done
  version=${pair%%:*} profile=${pair#*:}
  echo "=== Kubernetes $version: control-plane suite, profile $profile (started $(date +%H:%M:%S))"
  # jest itself, not through npx: npx does not pass a TERM on, and jest would outlive its cluster.
  # shellcheck disable=SC2046
  MICROFLOW_K8S="$version" MICROFLOW_PROFILE="$profile" "$HERE/with-cluster.sh" \
    "$ROOT/node_modules/.bin/jest" -c jest.cluster.config.js --ci $(ignored_in "$profile") > "$logs/${pair//[:+]/_}.log" 2>&1 &
  names[$!]=$pair
  started[$!]=$(now)
done
while (( ${#names[@]} > 0 )); do reap_one; done

total=$(( ${#versions[@]} * ${#profiles[@]} ))
echo "control-plane timings: ${timings[*]}; all: $(( $(now) - t_all ))s with $jobs_max at once"
passed=$(( total - ${#failed[@]} ))
((passed >= 0)) || passed=0
echo "control-plane variants: ${passed} passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[[ ${#failed[@]} -eq 0 ]]
