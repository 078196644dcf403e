/**
 * Writes the JSON form of vendored YAML files beside them (`vendor/istio/istio.yaml` →
 * `vendor/istio/istio.json`), which synth reads instead of parsing the YAML (lib/platform/vendored-manifest.ts).
 * The vendoring scripts run it after regenerating their YAML; test/platform/vendored-manifest.test.ts
 * fails when a committed JSON is not what this makes of the committed YAML.
 *   node build/scripts/vendor-json.js [--check] [file.yaml ...]   (default: every vendored file)
 *   --check: write nothing, exit 1 naming each JSON that would change
 */
import * as fs from 'fs';
import * as path from 'path';
import { vendoredJson, vendoredJsonFile } from '../lib/platform/vendored-manifest';
import { vendoredIstioFile } from '../lib/gateway/istio';
import { notebookCrdFile } from '../lib/notebooks/crd';
import { ARGO_CRDS_FILE } from '../lib/pipelines/crds/argo';

/** Every vendored YAML file synth includes. */
export const VENDORED_FILES = (): string[] => [vendoredIstioFile(), ARGO_CRDS_FILE, notebookCrdFile()];

export function main(args: string[], say: (line: string) => void = console.log): number {
  const check = args.includes('--check');
  const named = args.filter((a) => a !== '--check');
  let stale = 0;
  for (const file of named.length ? named.map((f) => path.resolve(f)) : VENDORED_FILES()) {
    const out = vendoredJsonFile(file);
    const text = vendoredJson(file);
    const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      say(`vendor-json: ${out} is not what ${file} gives: run node build/scripts/vendor-json.js`);
      stale++;
    } else {
      fs.writeFileSync(out, text);
      say(`vendor-json: wrote ${out}`);
    }
  }
  return stale ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
