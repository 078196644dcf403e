#!/usr/bin/env bash
# `npm run test:cluster`: proves the rendered platform on real Kubernetes control planes, on every
# Kubernetes version of the matrix (common.sh: 1.28, then current), one fresh cluster per profile
# variant (profiles share namespaces, so they never share a cluster). Which files run in which
# variant on which version is the matrix in support/matrix.js (the reasons: README.md, "The matrix").
#   MICROFLOW_K8S=current                run only this version (default: every version)
#   MICROFLOW_PROFILES="laptop cluster"  run only these variants (default: all four)
#   MICROFLOW_CLUSTER_FILES="commands"   run only these files (of the matrix)
#   MICROFLOW_CLUSTER_MATRIX=full        every file in every variant on every version
#   MICROFLOW_CLUSTER_JOBS=N             variants run at once, each on its own cluster (default 2:
#                                        a variant mostly waits on controllers, about one core busy)
# Each variant's output is kept in a log and printed whole when it ends. Ends with a timing summary
# (support/timings.js) and one "N passed, N failed" line over every (version, profile) pair run.
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
# The matrix's end (1.28, current) of each version as given (1.37, v1.37.2, ...).
declare -A end_of=()
for version in "${versions[@]}"; do
  select_k8s "$version" >/dev/null || exit 2
  end_of[$version]=$K8S_SELECTOR
done
node "$HERE/support/matrix.js" check "${profiles[@]}"
# The matrix's files of a variant as jest path patterns ("/platform\.test\.ts$" ...); none: not run.
files_of() { # version profile
  node "$HERE/support/matrix.js" files "${end_of[$1]}" "$2" | sed 's|.*|/&\\.test\\.ts$|'
}
now() { date +%s; }
logs=$(mktemp -d)
declare -A started=() names=()
# Stopping this script stops the variants (each tears its cluster down on TERM).
trap 'for p in "${!names[@]}"; do kill "$p" 2>/dev/null || true; done; wait; rm -rf "$logs"' EXIT
failed=()
ran=0
t_all=$(now)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# Built once here, not inside a test's time budget (and not by two variants at once), if a file
# that runs them is selected.
selected=$(for version in "${versions[@]}"; do for profile in "${profiles[@]}"; do files_of "$version" "$profile"; done; done)
needed=()
[[ $selected != *gitops* ]] || needed+=(flux-apply)
[[ $selected != *argo-controller* ]] || needed+=(argo-workflow-controller)
[[ $selected != *front-door* ]] || needed+=(istiod pilot-agent envoy dex oauth2-proxy)
if ((${#needed[@]})); then
  echo "=== ${needed[*]}"
  "$ROOT/scripts/programs/build.sh" "${needed[@]}"
fi

# The harness checks itself first (and the first run builds its binaries), so a broken control plane
# is reported as such, not as a platform failure.
queue=()
for version in "${versions[@]}"; do
  pairs=()
  for profile in "${profiles[@]}"; do
    [[ -n $(files_of "$version" "$profile") ]] && pairs+=("$version:$profile")
  done
  ((${#pairs[@]})) || continue
  echo "=== Kubernetes $version: control-plane harness self-check"
  t=$(now)
  if MICROFLOW_K8S="$version" "$HERE/with-cluster.sh" "$HERE/smoke.sh"; then
    queue+=("${pairs[@]}")
  else
    for pair in "${pairs[@]}"; do failed+=("$pair(self-check failed)"); done
  fi
  printf 'check\t%s\t%s\n' "$version" "$(( $(now) - t ))" >>"$logs/timings.tsv"
done

# The variants, $jobs_max at a time, the longest first (matrix.js' estimates) so the slots end together.
mapfile -t queue < <(for pair in "${queue[@]}"; do
  version=${pair%%:*}
  printf '%s\t%s\n' "$(node "$HERE/support/matrix.js" cost "${end_of[$version]}" "${pair#*:}")" "$pair"
done | sort -s -k1,1nr | cut -f2-)
finish() { # pid rc
  local name=${names[$1]}
  echo "=== end of $name (exit $2, $(( $(now) - started[$1] ))s): its output follows"
  cat "$logs/${name//[:+]/_}.log"
  printf 'variant\t%s\t%s\t%s\t%s\n' "$name" "$(( $(now) - started[$1] ))" "$2" "$logs/${name//[:+]/_}.json" >>"$logs/timings.tsv"
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
  mapfile -t patterns < <(files_of "$version" "$profile")
  # jest itself, not through npx: npx does not pass a TERM on, and jest would outlive its cluster.
  MICROFLOW_K8S="$version" MICROFLOW_PROFILE="$profile" "$HERE/with-cluster.sh" \
    "$ROOT/node_modules/.bin/jest" -c jest.cluster.config.js --ci --json --outputFile="$logs/${pair//[:+]/_}.json" \
    "${patterns[@]}" > "$logs/${pair//[:+]/_}.log" 2>&1 &
  ran=$((ran + 1))
  names[$!]=$pair
  started[$!]=$(now)
done
while (( ${#names[@]} > 0 )); do reap_one; done

printf 'all\t%s\t%s\t%s\n' "$(( $(now) - t_all ))" "$jobs_max" "$load_start" >>"$logs/timings.tsv"
node "$HERE/support/timings.js" "$logs/timings.tsv"
# Variants that ran, plus those whose self-check failed (never started, counted as failed).
total=$(( ran + $(printf '%s\n' "${failed[@]}" | grep -c 'self-check failed' || true) ))
passed=$(( total - ${#failed[@]} ))
echo "control-plane variants: ${passed} passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[[ ${#failed[@]} -eq 0 ]]
