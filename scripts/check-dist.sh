#!/usr/bin/env bash
# `npm run check:dist`: dist/ is committed for GitOps users, so it must be exactly what the code renders
# for the built-in laptop profile. Renders into a temporary folder (MICROFLOW_OUT; dist/ is not
# touched), names every file that differs, is missing or is extra, and checks that dist/ is committed
# as it is (no modified or untracked file). Exit 1 on any of these.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
env -u MICROFLOW_CONFIG MICROFLOW_OUT="$tmp/dist" npm run --silent synth >/dev/null

status=0
while IFS= read -r f; do
  if [ ! -e "dist/$f" ]; then echo "check:dist: dist/$f is missing (the code renders it)"; status=1
  elif [ ! -e "$tmp/dist/$f" ]; then echo "check:dist: dist/$f is not rendered by the code (remove it)"; status=1
  elif ! cmp -s "dist/$f" "$tmp/dist/$f"; then
    echo "check:dist: dist/$f drifted from the code:"
    diff -u "dist/$f" "$tmp/dist/$f" --label "dist/$f" --label "rendered/$f" | head -20 || true
    status=1
  fi
done < <( { ls -A dist; ls -A "$tmp/dist"; } | sort -u)

uncommitted=$(git status --porcelain -- dist)
if [ -n "$uncommitted" ]; then
  echo "check:dist: dist/ is not committed as it is:"
  echo "$uncommitted"
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "check:dist: FAILED: run npm run synth (without MICROFLOW_CONFIG) and commit dist/"
else
  echo "check:dist: dist/ is what the code renders ($(ls dist | wc -l) files), and committed"
fi
exit "$status"
