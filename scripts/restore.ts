/**
 * `npm run --silent restore -- mysql-20261126T030000Z.sql.gz | kubectl apply -f -`
 * Prints the one-off Job that loads a backup into MySQL (see docs/data.md, "Backups and restore").
 * Honours MICROFLOW_CONFIG like synth, so images and sizing match the installed platform.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { ConfigError, loadConfigFile, resolveConfig } from '../lib/config';
import { MySqlRestore } from '../lib/data';
import { applyStandardLabels, WorkloadPolicy } from '../lib/platform';
import { printYaml } from '../lib/platform/yaml-printer';
import { buildStack, MICROFLOW_VERSION } from '../lib/stack';

/**
 * Writes the restore Job for `backup` to `out`; `configFile` (default MICROFLOW_CONFIG, else the laptop
 * profile) is the configuration the platform was rendered from. Returns the exit code.
 */
export function restore(backup: string | undefined, configFile = process.env.MICROFLOW_CONFIG, out: (text: string) => void = (t) => process.stdout.write(t)): number {
  if (!backup) {
    console.error('usage: npm run --silent restore -- <backup file name, e.g. mysql-20261126T030000Z.sql.gz>');
    return 1;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-restore-'));
  try {
    const file = configFile;
    const config = file ? loadConfigFile(file) : resolveConfig({});
    const { app, data } = buildStack(config, tmp);
    const chart = new Chart(app, 'restore');
    new MySqlRestore(chart, 'Restore', { database: data.database, store: data.objectStore, policy: new WorkloadPolicy(config), backup });
    applyStandardLabels(chart, 'data', MICROFLOW_VERSION);
    out(printYaml(chart.toJson()));
    return 0;
  } catch (e) {
    console.error(`microflow restore: ${e instanceof ConfigError ? e.message : (e as Error).message}`);
    return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = restore(process.argv[2]);
