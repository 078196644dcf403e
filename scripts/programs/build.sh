#!/usr/bin/env bash
# Builds (or finds in the cache) the upstream programs tests and scripts run: one recipe each,
# scripts/programs/<name>.sh, built by the conventions of scripts/programs/lib.sh.
#
#   scripts/programs/build.sh [--jobs N] [NAME...]  build what is missing, N at a time (default 2);
#                                                   no NAME: every program of ci.list but the budget tier
#   scripts/programs/build.sh [--jobs N] --tier T   the programs ci.list gives tier T (cluster, native,
#                                                   budget: those the next issues' tests will run)
#   scripts/programs/build.sh --path NAME           print the cached program's path; exit 3 if not
#                                                   built (never builds)
#   scripts/programs/build.sh --list                name, version, source, cached or not
#
# Exit: 0 ok, 1 a build failed, 2 bad usage or unknown program, 3 (--path) not built.
# Environment: MICROFLOW_CACHE (cache root), BUILD_PARALLELISM (go build -p, default 2),
# MICROFLOW_FORCE_REBUILD=1 (rebuild even if cached).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
known() { (cd "$HERE" && ls -- *.sh | grep -vx -e lib.sh -e build.sh | sed 's/\.sh$//' | tr '\n' ' '); }
check_name() {
  [[ $1 =~ ^[a-z0-9][a-z0-9.-]*$ && -f $HERE/$1.sh ]] ||
    { echo "build.sh: unknown program '$1' (known: $(known))" >&2; exit 2; }
}

jobs=2
mode=build
names=()
tier=
while (($#)); do
  case "$1" in
    --path) [[ $# -eq 2 ]] || usage; mode=path; names=("$2"); shift 2 ;;
    --list) [[ $# -eq 1 ]] || usage; mode=list; shift ;;
    --tier) [[ ${2:-} =~ ^(cluster|native|budget)$ ]] || { echo "build.sh: --tier needs cluster, native or budget" >&2; exit 2; }
      tier=$2; shift 2 ;;
    --jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "build.sh: --jobs needs a positive number" >&2; exit 2; }
      jobs=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "build.sh: unknown flag $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done

case $mode in
  path)
    check_name "${names[0]}"
    (program_load "${names[0]}" && program_cached) || exit 3
    (program_load "${names[0]}" && program_path)
    exit 0
    ;;
  list)
    printf '%-28s %-36s %-8s %s\n' NAME VERSION CACHED SOURCE
    for f in "$HERE"/*.sh; do
      n=$(basename "$f" .sh)
      [[ $n == lib || $n == build ]] && continue
      (program_load "$n" && c=no && { ! program_cached || c=yes; } &&
        printf '%-28s %-36s %-8s %s\n' "$n" "$PROGRAM_VERSION" "$c" "$PROGRAM_SOURCE")
    done
    exit 0
    ;;
esac

if [[ -n $tier ]]; then
  ((${#names[@]} == 0)) || { echo "build.sh: --tier and program names do not go together" >&2; exit 2; }
  mapfile -t names < <(sed 's/#.*//' "$HERE/ci.list" | awk -v t="$tier" 'NF && $2 == t { print $1 }')
elif ((${#names[@]} == 0)); then
  mapfile -t names < <(sed 's/#.*//' "$HERE/ci.list" | awk 'NF && $2 != "budget" { print $1 }')
fi
for n in "${names[@]}"; do check_name "$n"; done

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
t_all=$SECONDS
running=0
for n in "${names[@]}"; do
  if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
  # One subshell per program: recipes define the same function names.
  (
    start=$SECONDS
    status=failed
    trap 'echo "$n $status $((SECONDS - start))" >"$results/$n"' EXIT
    program_load "$n"
    program_ensure
    status=ok
  ) &
  running=$((running + 1))
done
wait || true

failed=()
programs_log "summary ($((SECONDS - t_all))s in all, up to $jobs at a time):"
for n in "${names[@]}"; do
  read -r _ status secs <"$results/$n" 2>/dev/null || status=failed secs=?
  printf '[programs]   %-28s %-7s %ss\n' "$n" "$status" "$secs" >&2
  [[ $status == ok ]] || failed+=("$n")
done
((${#failed[@]} == 0)) || { programs_log "FAILED: ${failed[*]}"; exit 1; }
