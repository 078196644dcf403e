/**
 * The timing summary `npm run test:cluster` ends with (test/cluster/run.sh): each version's
 * self-check, each variant with its files (from jest's --json report), the whole run, and the load.
 *
 *   node test/cluster/support/timings.js <timings.tsv>
 * Each line of the TSV: `check <version> <seconds>`, `variant <version:variant> <seconds> <exit> <jest json>`
 * or `all <seconds> <jobs> <load average at the start>`.
 */
const fs = require('fs');

/** Seconds per file of a jest --json report, in the order jest ran them; [] if jest wrote none. */
function fileSeconds(report) {
  let json;
  try {
    json = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    return [];
  }
  return json.testResults
    .map((r) => ({ file: r.name.replace(/^.*\//, '').replace(/\.test\.ts$/, ''), start: r.startTime, seconds: Math.round((r.endTime - r.startTime) / 1000), status: r.status }))
    .sort((a, b) => a.start - b.start);
}

function summary(tsv) {
  const out = ['control-plane timings:'];
  for (const line of fs.readFileSync(tsv, 'utf8').split('\n').filter(Boolean)) {
    const [kind, ...f] = line.split('\t');
    if (kind === 'check') out.push(`  ${f[0]} self-check (incl. any build): ${f[1]}s`);
    if (kind === 'variant') {
      const files = fileSeconds(f[3]).map((x) => `${x.file} ${x.seconds}s${x.status === 'passed' ? '' : ` (${x.status})`}`);
      out.push(`  ${f[0].replace(':', '/')}: ${f[1]}s${f[2] === '0' ? '' : ` (exit ${f[2]})`}${files.length ? `: ${files.join(', ')} (the rest: cluster start and stop, jest start-up)` : ''}`);
    }
    if (kind === 'all') {
      const end = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      out.push(`  all: ${f[0]}s with ${f[1]} variants at once; load average (1/5/15 min) ${f[2]} at the start, ${end} at the end`);
    }
  }
  return out.join('\n');
}

module.exports = { fileSeconds, summary };

if (require.main === module) process.stdout.write(`${summary(process.argv[2])}\n`);
