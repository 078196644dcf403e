#!/usr/bin/env bash
# Evidence for test/README.md's claim "no test reads state outside its own temp folder": clones the
# committed tree twice and runs the Node tier (`npm test`) in both at once, each with its own empty HOME
# and TMPDIR, Go removed from the PATH and its own jest cache. Shared state (a fixed port, a file in a
# machine-wide place, ~/.cache, the other run's dist/ or build/) shows up as a failure in one of them;
# a temp folder a test did not remove shows up in that run's TMPDIR afterwards.
#   scripts/check-hermetic.sh [JEST ARGS]   (several minutes: two full Node tiers on the machine's cores;
#                                           test paths as arguments run only those files)
# Not part of CI: it doubles the Node tier's time. The last result is recorded in test/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ARGS=("$@")
path_without_go=$(echo "$PATH" | tr : '\n' | grep -v go | paste -sd:)

for c in a b; do
  git clone -q --no-hardlinks "$ROOT" "$work/$c"
  ln -s "$ROOT/node_modules" "$work/$c/node_modules"
  # .gitignore's node_modules/ does not match a symlink: keep it out of git's (and readme.test.ts') view.
  echo /node_modules >> "$work/$c/.git/info/exclude"
  mkdir -p "$work/$c.home" "$work/$c.tmp"
done

run() {
  local c=$1
  ( cd "$work/$c" && env HOME="$work/$c.home" TMPDIR="$work/$c.tmp" PATH="$path_without_go" \
      npm test -- --cacheDirectory "$work/$c.jest-cache" "${ARGS[@]}" >"$work/$c.log" 2>&1 )
}
start=$(date +%s)
run a & pa=$!
run b & pb=$!
status=0
wait "$pa" || status=1
wait "$pb" || status=1
echo "check-hermetic: both runs took $(( $(date +%s) - start )) s (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"

for c in a b; do
  echo "== clone $c: $(grep -E '^(Tests|Test Suites):' "$work/$c.log" | tr '\n' ' ')"
  if grep -qE '^FAIL ' "$work/$c.log" || ! grep -qE '^Tests: .*passed' "$work/$c.log"; then
    grep -E '^FAIL ' "$work/$c.log" || true
    tail -60 "$work/$c.log"
    status=1
  fi
  left=$(ls -A "$work/$c.tmp")
  if [ -n "$left" ]; then echo "clone $c left in its TMPDIR: $left"; status=1; fi
  if [ -n "$(cd "$work/$c" && git status --porcelain)" ]; then echo "clone $c's tree changed:"; (cd "$work/$c" && git status --porcelain); status=1; fi
done
if [ "$status" -eq 0 ]; then echo "check-hermetic: PASSED"; else echo "check-hermetic: FAILED"; fi
exit "$status"
