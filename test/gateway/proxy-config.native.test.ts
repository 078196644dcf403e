/**
 * The gateway's PROXY_CONFIG read by the pinned Istio's own parser (test/gateway/proxy-config, the
 * function pilot-agent applies to that variable): the setting that refuses header names with an
 * underscore takes effect. A misspelled key would be dropped without an error, so comparing strings
 * in the render cannot show it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GATEWAY } from '../../lib/gateway';
import { NAMESPACES } from '../../lib/platform';
import { exampleConfig, find, renderStack, ROOT } from '../support/stack';

const DIR = path.join(__dirname, 'proxy-config');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-proxy-config-'));
const bin = path.join(tmp, 'proxy-config');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const parse = (value: string) => {
  const r = spawnSync(bin, [value], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
};

beforeAll(() => {
  const r = spawnSync('go', ['build', '-o', bin, '.'], { cwd: DIR, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' }, timeout: 900_000 });
  if (r.status !== 0) throw new Error(`building test/gateway/proxy-config failed:\n${r.stderr}`);
}, 900_000);

test('the parser is the pinned release\'s (its go.mod requires vendor/istio/release.env\'s version)', () => {
  const pinned = /^ISTIO_MODULE_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'vendor', 'istio', 'release.env'), 'utf8'))![1];
  expect(fs.readFileSync(path.join(DIR, 'go.mod'), 'utf8')).toMatch(new RegExp(`^require istio\\.io/istio ${pinned}$`, 'm'));
});

test('the rendered gateway\'s PROXY_CONFIG makes Envoy refuse header names with an underscore, and nothing else of the EDGE profile', () => {
  const objects = renderStack(exampleConfig('laptop')).objects;
  const env = find(objects, 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.spec.containers[0].env;
  const value: string = env.find((e: any) => e.name === 'PROXY_CONFIG').value;
  expect(parse(value)).toEqual({ status: 0, out: 'profile=SIDECAR httpHeadersWithUnderscoresAction=HEADERS_WITH_UNDERSCORES_REJECT_REQUEST', err: '' });
});

test('the check can fail: a misspelled key is dropped silently, a short enum value is an error', () => {
  expect(parse('{"connectionSettings":{"httpHeadersWithUnderscoreAction":"HEADERS_WITH_UNDERSCORES_REJECT_REQUEST"}}'))
    .toEqual({ status: 0, out: 'profile=SIDECAR httpHeadersWithUnderscoresAction=HEADERS_WITH_UNDERSCORES_UNSPECIFIED', err: '' });
  const short = parse('{"connectionSettings":{"httpHeadersWithUnderscoresAction":"REJECT_REQUEST"}}');
  expect({ status: short.status, err: short.err }).toEqual({ status: 1, err: expect.stringMatching(/unknown value .*REJECT_REQUEST/) });
});
