#!/usr/bin/env node
/**
 * Lists the mutants a StrykerJS run left alive (Survived, NoCoverage), one line each with file, line,
 * mutator and the replacement, from reports/mutation/<scope>/mutation.json: what test/README.md's
 * equivalence lists are written from. Usage: node test/mutation/survivors.js <scope> [file-substring]
 */
const fs = require('fs');
const path = require('path');

const [scope, only] = process.argv.slice(2);
if (!scope) {
  console.error('usage: survivors.js <scope> [file-substring]  (reads reports/mutation/<scope>/mutation.json)');
  process.exit(2);
}
const report = path.join(__dirname, '..', '..', 'reports', 'mutation', scope, 'mutation.json');
if (!fs.existsSync(report)) {
  console.error(`${report}: no report; run StrykerJS for ${scope} first (npm run mutation)`);
  process.exit(1);
}
const { files } = JSON.parse(fs.readFileSync(report, 'utf8'));
const counts = {};
for (const [file, { source, mutants }] of Object.entries(files)) {
  if (only && !file.includes(only)) continue;
  const lines = source.split('\n');
  for (const m of mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { line, column } = m.location.start;
    const original = lines[line - 1].trim().slice(0, 100);
    console.log(`${file}:${line}:${column} ${m.status} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '')}\n    ${original}`);
  }
}
const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
const tested = killed + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
console.log(`\n${JSON.stringify(counts)}  killed ${killed} / ${tested} (${(100 * killed / Math.max(tested, 1)).toFixed(1)} %)`);
