import * as fs from 'fs';
import * as path from 'path';
import type { Config } from './config';
import { buildStack } from './stack';

/**
 * Renders the platform into `dist`, all or nothing: the charts are written to a temporary folder
 * beside it and swapped in only when synth succeeded, so a failure leaves `dist` exactly as it was.
 * Returns the files written, in apply order.
 */
export function renderTo(config: Config, dist: string): string[] {
  const parent = path.dirname(path.resolve(dist));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, '.dist-new-'));
  const old = `${tmp.replace('.dist-new-', '.dist-old-')}`;
  try {
    buildStack(config, tmp).app.synth();
    const files = fs.readdirSync(tmp).sort();
    if (files.length === 0) throw new Error('synth produced no files');
    if (fs.existsSync(dist)) fs.renameSync(dist, old);
    fs.renameSync(tmp, dist);
    fs.rmSync(old, { recursive: true, force: true });
    return files;
  } catch (e) {
    // Put the previous output back if the swap itself failed half-way.
    if (!fs.existsSync(dist) && fs.existsSync(old)) fs.renameSync(old, dist);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
