import * as fs from 'fs';
import * as path from 'path';
import type { Config } from './config';
import { gitopsComponents, renderGitops } from './gitops';
import { buildStack } from './stack';

/**
 * Renders the platform into `dist`, all or nothing: the charts are written to a temporary folder
 * beside it and swapped in only when synth succeeded, so a failure leaves `dist` exactly as it was.
 * With `gitops` in the configuration, the Argo CD and Flux files go to `gitopsOut` (default: a
 * `gitops` folder beside `dist`), swapped in together with it. Returns the files written to `dist`,
 * in apply order.
 */
export function renderTo(config: Config, dist: string, gitopsOut = path.join(path.dirname(path.resolve(dist)), 'gitops')): string[] {
  const parent = path.dirname(path.resolve(dist));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, '.dist-new-'));
  const tmpGitops = `${tmp}-gitops`;
  try {
    const { app } = buildStack(config, tmp);
    app.synth();
    const files = fs.readdirSync(tmp).sort();
    if (files.length === 0) throw new Error('synth produced no files');
    if (config.gitops) {
      for (const [file, text] of Object.entries(renderGitops(gitopsComponents(app, files), config.gitops))) {
        fs.mkdirSync(path.dirname(path.join(tmpGitops, file)), { recursive: true });
        fs.writeFileSync(path.join(tmpGitops, file), text);
      }
      swapIn(tmpGitops, gitopsOut);
    }
    swapIn(tmp, dist);
    return files;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(tmpGitops, { recursive: true, force: true });
  }
}

/** Replaces `target` with `fresh` (a folder on the same file system), putting the old one back if the swap fails. */
function swapIn(fresh: string, target: string): void {
  const old = `${fresh}-old`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  try {
    fs.renameSync(fresh, target);
  } catch (e) {
    if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}
