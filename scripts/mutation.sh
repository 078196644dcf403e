#!/usr/bin/env bash
# `npm run mutation [-- scope ...]`: StrykerJS over lib/config, platform, data, deploy, auth, users, gateway,
# pipelines and notebooks (or the scopes named), one folder at a time with that folder's tests (jest.mutation.config.js), then
# one line per folder: mutants killed / tested, and the run time. Reports: reports/mutation/<scope>/.
set -euo pipefail
cd "$(dirname "$0")/.."
scopes=("$@")
[ ${#scopes[@]} -gt 0 ] || scopes=(config platform data deploy auth users gateway pipelines notebooks)
for scope in "${scopes[@]}"; do
  echo "== mutation testing lib/$scope"
  start=$(date +%s)
  MICROFLOW_MUTATION_SCOPE="$scope" npx stryker run stryker.config.mjs
  echo "$(( $(date +%s) - start ))" > "reports/mutation/$scope/seconds"
done
node -e '
  for (const scope of process.argv.slice(1)) {
    const dir = `reports/mutation/${scope}`;
    const report = JSON.parse(require("fs").readFileSync(`${dir}/mutation.json`, "utf8"));
    const n = {};
    for (const f of Object.values(report.files)) for (const m of f.mutants) n[m.status] = (n[m.status] ?? 0) + 1;
    const killed = (n.Killed ?? 0) + (n.Timeout ?? 0);
    const tested = killed + (n.Survived ?? 0) + (n.NoCoverage ?? 0);
    const seconds = require("fs").readFileSync(`${dir}/seconds`, "utf8").trim();
    console.log(`lib/${scope}: ${(100 * killed / tested).toFixed(1)}% killed (${killed} of ${tested}; survived ${n.Survived ?? 0}, no coverage ${n.NoCoverage ?? 0}; static, not run: ${n.Ignored ?? 0}) in ${seconds}s`);
  }' "${scopes[@]}"
