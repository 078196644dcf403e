#!/bin/sh
# A kubectl that answers from a script, for the read-only deploy commands' unit tests (preflight,
# status, diagnose). $SCRIPTED_KUBECTL is a folder of rules N.when (the start of the arguments,
# joined by spaces), N.out, N.err and N.code, tried in order of N; each call is appended to its
# `calls` file and what it reads on stdin (`-f -`) is kept as stdin.C, C counting calls from 1.
# A rule with an N.once file answers one call only (a state that changes between polls). A call no rule expects fails like kubectl on an unknown resource type (exit 1), so a
# test sees every call the code makes. Shell, not node: preflight makes a dozen calls per run.
dir=$SCRIPTED_KUBECTL
line="$*"
printf '%s\n' "$line" >> "$dir/calls"
case " $line " in *" -f - "*) cat > "$dir/stdin.$(wc -l < "$dir/calls" | tr -d ' ')" ;; esac
n=0
while [ -f "$dir/$n.when" ]; do
  if [ -f "$dir/$n.spent" ]; then n=$((n + 1)); continue; fi
  when=$(cat "$dir/$n.when")
  case "$line" in
    "$when"|"$when "*)
      if [ -f "$dir/$n.once" ]; then : > "$dir/$n.spent"; fi
      cat "$dir/$n.out"
      cat "$dir/$n.err" >&2
      exit "$(cat "$dir/$n.code")"
      ;;
  esac
  n=$((n + 1))
done
echo "error: the server doesn't have a resource type \"$2\" (scripted kubectl: no rule for: $line)" >&2
exit 1
