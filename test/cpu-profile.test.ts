/**
 * scripts/cpu-profile.ts: the top costs `npm run bench` prints from a CPU profile of one synth. Self
 * time is summed per place (a package, a folder of microflow, Node's module loading, what V8 names
 * itself) and per function, from the samples of a Chrome DevTools profile.
 */
import * as path from 'path';
import { formatCosts, profileCommand, profileCosts } from '../scripts/cpu-profile';

const ROOT = '/repo';
const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({ id, callFrame: { functionName, url, lineNumber } });

test('self time per place and per function, most first', () => {
  const profile = {
    nodes: [
      frame(1, '(root)', ''),
      frame(2, 'parse', 'file:///repo/node_modules/yaml/dist/parse.js', 9),
      frame(3, 'compose', `file:///repo/node_modules/@scope/pkg/index.js`),
      frame(4, 'printYaml', `file://${ROOT}/build/lib/platform/yaml-printer.js`, 52),
      frame(5, 'main', `file://${ROOT}/build/main.js`),
      frame(6, 'Module._load', 'node:internal/modules/cjs/loader'),
      frame(7, 'readFileSync', 'node:fs', 440),
      frame(8, '(garbage collector)', ''),
      frame(9, '', `file://${ROOT}/build/lib/platform/yaml-printer.js`, 7),
    ],
    samples: [2, 2, 3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 1],
    timeDeltas: [1000, 1000, 500, 2000, 2000, 2000, 100, 300, 200, 1500, 1500, 400, 0],
  };
  const costs = profileCosts(profile, ROOT);
  expect(costs.totalMs).toBeCloseTo(12.5);
  expect(costs.places).toEqual([
    { what: 'lib/platform', ms: 6.4 },
    { what: 'package yaml', ms: 2 },
    { what: '(garbage collector)', ms: 3 },
    { what: 'package @scope/pkg', ms: 0.5 },
    { what: 'module loading (node)', ms: 0.3 },
    { what: 'node', ms: 0.2 },
    { what: 'main.js', ms: 0.1 },
  ].sort((a, b) => b.ms - a.ms));
  expect(costs.functions.slice(0, 3)).toEqual([
    { what: 'printYaml build/lib/platform/yaml-printer.js:53', ms: 6 },
    { what: '(garbage collector)', ms: 3 },
    { what: 'parse node_modules/yaml/dist/parse.js:10', ms: 2 },
  ]);
  expect(costs.functions).toContainEqual({ what: '(anonymous) build/lib/platform/yaml-printer.js:8', ms: 0.4 });
  expect(formatCosts(costs, 2)).toEqual([
    'sampled 13 ms on the main thread; self time by place:',
    '       6 ms  51 %  lib/platform',
    '       3 ms  24 %  (garbage collector)',
    'by function:',
    '       6 ms  48 %  printYaml build/lib/platform/yaml-printer.js:53',
    '       3 ms  24 %  (garbage collector)',
  ]);
});

test('profiles a node command once, and refuses one it cannot profile', () => {
  expect(() => profileCommand('bash -c true', {}, ROOT)).toThrow('cannot profile "bash -c true": it does not start with node');
  const costs = profileCommand(`node -e "for (let i = 0; i < 3e7; i++);"`, {}, path.resolve(__dirname, '..'));
  expect(costs.totalMs).toBeGreaterThan(0);
  expect(costs.places.length).toBeGreaterThan(0);
  expect(() => profileCommand('node -e "process.exit(3)"', {}, path.resolve(__dirname, '..'))).toThrow(/failed under --cpu-prof/);
});
