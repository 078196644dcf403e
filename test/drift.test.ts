/** dist/ is committed for GitOps users: it must be exactly what `npm run synth` renders. */
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../lib/config';
import { renderStack, ROOT } from './support/stack';

test('dist/ matches a fresh render of the default (laptop) profile', () => {
  const { files } = renderStack(resolveConfig({}));
  const dist = path.join(ROOT, 'dist');
  const committed = fs.readdirSync(dist).sort();
  expect(committed).toEqual(Object.keys(files));
  for (const f of committed) {
    // A readable failure: which file drifted. Fix with `npm run synth` and commit dist/.
    expect({ file: f, content: fs.readFileSync(path.join(dist, f), 'utf8') }).toEqual({ file: f, content: files[f] });
  }
});

test('files are numbered in apply order: platform before data', () => {
  const names = Object.keys(renderStack(resolveConfig({})).files);
  expect(names[0]).toMatch(/^0000-platform\./);
  expect(names.findIndex((n) => n.includes('-data.'))).toBeGreaterThan(names.findIndex((n) => n.includes('-platform.')));
});
