/** docs/ is generated from the code: the committed copies must be exactly what the generators produce. */
import * as fs from 'fs';
import * as path from 'path';
import { DOCS_COMMAND, generatedDocs } from '../lib/docs';
import { configSchema } from '../lib/config';
import { ROOT } from './support/stack';

const docs = generatedDocs(ROOT);

test.each(Object.keys(docs))('%s is up to date', (file) => {
  const committed = fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : '(missing)';
  if (committed !== docs[file]) throw new Error(`${file} differs from what the code generates: run \`${DOCS_COMMAND}\` and commit it`);
});

test('the configuration reference lists every key of the schema', () => {
  const text = docs[path.join('docs', 'configuration.md')];
  const keys = (shape: Record<string, any>, prefix = ''): string[] => Object.entries(shape).flatMap(([k, v]) => {
    const inner = v.def?.innerType ?? v;
    return [`${prefix}${k}`, ...(inner.shape ? keys(inner.shape, `${prefix}${k}.`) : [])];
  });
  for (const key of keys(configSchema.shape)) expect(text).toContain(`| \`${key}\` |`);
});

test('the architecture diagram draws every declared connection with the NetworkPolicy that admits it', () => {
  const text = docs[path.join('docs', 'architecture.md')];
  expect(text).toContain('```mermaid\nflowchart LR');
  expect(text).not.toContain('NOT ADMITTED');
  expect(text).toMatch(/-->\|"mysql:3306 \(tcp-mysql\)<br\/>allowed by mysql-clients"\| w_kubeflow_mysql/);
});
