#!/usr/bin/env bash
# Proves the package as users get it: `npm pack`, installed into an empty folder; examples/library
# compiled against it (its types, its "exports") and rendered; microflow's files in that render equal
# what the installed `microflow synth` renders for the same configuration; the example's own chart is
# the next numbered file.
#   scripts/check-pack.sh              installs the tarball with npm (its dependencies from the registry
#                                      or npm's cache): what CI runs
#   scripts/check-pack.sh --link-deps  no registry: unpacks the tarball and links its dependencies from
#                                      this checkout's node_modules (the Node tier, test/pack.test.ts)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mode=install
case "${1:-}" in
  '') ;;
  --link-deps) mode=link ;;
  *) echo "check-pack: unknown argument \"$1\" (expected nothing or --link-deps)" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export npm_config_logs_max=0 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

cd "$ROOT"
tgz="$work/$(npm pack --silent --pack-destination "$work" | tail -1)"
app="$work/app"
mkdir -p "$app"
echo '{ "name": "team-app", "private": true }' > "$app/package.json"
if [ "$mode" = link ]; then
  mkdir -p "$app/node_modules/microflow" "$app/node_modules/.bin"
  tar -xzf "$tgz" -C "$app/node_modules/microflow" --strip-components=1
  for dep in $(node -p 'Object.keys(require("./package.json").dependencies).join(" ")'); do
    ln -s "$ROOT/node_modules/$dep" "$app/node_modules/$dep"
  done
  ln -s ../microflow/bin/microflow.js "$app/node_modules/.bin/microflow"
else
  (cd "$app" && npm install --prefer-offline --silent "$tgz")
fi

cp examples/library/*.ts "$app/"
# Compiled as a user's app would be: node16 resolution reads the package's "exports" and "types".
node node_modules/typescript/bin/tsc --module node16 --moduleResolution node16 --target ES2022 --strict \
  --skipLibCheck --types node --typeRoots "$ROOT/node_modules/@types" --outDir "$app/out" "$app"/*.ts
printf 'users: [ada@example.com]\n' > "$work/config.yaml"
(cd "$app" && CDK8S_OUTDIR="$work/example" MICROFLOW_CONFIG="$work/config.yaml" node out/main.js)
(cd "$app" && node_modules/.bin/microflow synth --config "$work/config.yaml" --out "$work/cli" >/dev/null)

expected=$(cd "$work/cli" && ls)
got=$(cd "$work/example" && ls)
if [ "$got" != "$(printf '%s\n' $expected "$(printf '%04d' "$(echo "$expected" | wc -l)")-artifacts-report.k8s.yaml")" ]; then
  echo "check-pack: the example rendered $(echo $got), expected microflow's $(echo $expected) and then its own chart" >&2
  exit 1
fi
for f in $expected; do
  cmp -s "$work/cli/$f" "$work/example/$f" || { echo "check-pack: $f differs between the example's render and microflow synth's" >&2; exit 1; }
done
grep -q '^kind: CronJob$' "$work/example/"*-artifacts-report.k8s.yaml || { echo "check-pack: the example's chart has no CronJob" >&2; exit 1; }
echo "check-pack: $(basename "$tgz") ($mode) installs, compiles examples/library and renders it: $(echo "$got" | wc -l) files, microflow's identical to microflow synth's"
