/**
 * The JWKS relay for real: the kubectl v1.28.15 binary runs `kubectl proxy` with the rendered
 * arguments, in front of a stand-in API server that answers every path (so anything the relay lets
 * through shows). istiod needs the one JWKS path; everything else the relay's service account can
 * read (discovery documents, whatever RBAC grants it later) must stay behind it, whatever the spelling.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { JWKS_PROXY } from '../../lib/auth';
import { NAMESPACES } from '../../lib/platform';
import { freePorts } from '../native';
import { programPath } from '../support/programs';
import { exampleObjects, find } from '../support/stack';

const k8s = programPath('k8s-v1.28.15');
const kubectl = process.env.MICROFLOW_KUBECTL ?? path.join(path.dirname(k8s!), 'kubectl');

/** A raw request line, as an attacker's client sends it (no normalisation by Node). */
function raw(port: number, method: string, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0)));
    s.on('error', reject);
  });
}

describe('kubectl proxy v1.28.15 with the rendered relay arguments', () => {
  const seen: string[] = [];
  let upstream: http.Server;
  let relay: ChildProcess;
  let port: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-jwks-relay-'));

  beforeAll(async () => {
    upstream = http.createServer((req, res) => { seen.push(`${req.method} ${req.url}`); res.end('{"keys":[]}'); });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const api = (upstream.address() as net.AddressInfo).port;
    fs.writeFileSync(path.join(dir, 'kubeconfig'), JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${api}` } }],
      users: [{ name: 'u', user: { token: 'relay-token' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }));
    const container = find(exampleObjects('laptop'), 'Deployment', JWKS_PROXY.name, NAMESPACES.auth).spec.template.spec.containers[0];
    [port] = await freePorts(1);
    // The rendered args, with a free port and the stand-in's kubeconfig instead of the pod's token.
    const args = container.args.map((a: string) => (a.startsWith('--port=') ? `--port=${port}` : a.startsWith('--address=') ? '--address=127.0.0.1' : a));
    relay = spawn(kubectl, [...container.command.slice(1), ...args, `--kubeconfig=${path.join(dir, 'kubeconfig')}`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if ((await raw(port, 'GET', JWKS_PROXY.jwksPath).catch(() => 0)) === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    seen.length = 0;
  });
  afterAll(async () => {
    relay?.kill();
    await new Promise((r) => upstream.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves the JWKS path to GET', async () => {
    expect(await raw(port, 'GET', JWKS_PROXY.jwksPath)).toBe(200);
    expect(seen).toEqual([`GET ${JWKS_PROXY.jwksPath}`]);
  });

  test.each([
    '/', '/openid/v1/jwks/', '/openid/v1/jwksx', '/openid/v1/jwks.json', '/x/openid/v1/jwks', '/api/openid/v1/jwks',
    '/openid/v1/jwks/../../../api/v1/secrets', '/openid/v1/jwks%2F..%2F..%2Fapi%2Fv1%2Fsecrets', '/openid/v1/jwks%2f', '/openid/v1/jwks%0a',
    '//openid/v1/jwks', '/.well-known/openid-configuration', '/api/v1/namespaces/kube-system/secrets',
  ])('refuses %s without forwarding anything', async (target) => {
    seen.length = 0;
    const status = await raw(port, 'GET', target);
    expect({ target, forwarded: seen }).toEqual({ target, forwarded: [] });
    expect(status).not.toBe(200);
  });

  test.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses %s of the JWKS path', async (method) => {
    seen.length = 0;
    expect(await raw(port, method, JWKS_PROXY.jwksPath)).toBe(403);
    expect(seen).toEqual([]);
  });
});
