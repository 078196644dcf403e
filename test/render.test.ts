import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../lib/config';
import { renderTo } from '../lib/render';
import * as stack from '../lib/stack';

const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

test('a failure during synth (not only a bad config) leaves the output folder exactly as it was, and no temporary folder', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-render-'));
  const out = path.join(parent, 'dist');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, '0000-old.k8s.yaml'), 'old: render\n');
  const spy = jest.spyOn(stack, 'buildStack').mockImplementation(() => {
    throw new Error('boom in a construct');
  });
  try {
    expect(() => renderTo(resolveConfig({}), out)).toThrow('boom in a construct');
    expect(snapshot(out)).toEqual({ '0000-old.k8s.yaml': 'old: render\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  } finally {
    spy.mockRestore();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

test('a successful render replaces the folder and writes the charts in apply order', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-render-'));
  try {
    const files = renderTo(resolveConfig({}), path.join(parent, 'dist'));
    expect(files.slice(0, 3)).toEqual(['0000-platform.k8s.yaml', '0001-data.k8s.yaml', '0002-gateway.k8s.yaml']);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
