/**
 * istiod's mesh config: upstream's as vendored, plus the extension providers components add (the login's
 * oauth2-proxy is always one: every stack has the login).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { LOGIN } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { MicroflowService, PolicyDeployment, WorkloadPolicy, type ContainerProps } from '../../lib/platform';
import { buildStack } from '../../lib/stack';
import type { K8sObject } from '../support/stack';

const probe = { tcpSocket: { port: 4180 } } as any;
const proxy: ContainerProps = { name: 'proxy', image: 'mysql', resources: 'mysql', readiness: probe, liveness: probe, ports: [{ name: 'http', port: 4180 }] };

function mesh(addProvider: boolean, copiedUpstream = ['authorization']): { mesh: any; objects: K8sObject[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mesh-'));
  try {
    const config = resolveConfig({});
    const stack = buildStack(config, dir);
    if (addProvider) {
      // Added after the gateway chart was built, from another chart, as the login does.
      const app = new PolicyDeployment(stack.data, 'authz', { name: 'test-authz', namespace: 'oauth2-proxy', policy: new WorkloadPolicy(config), pod: { containers: [proxy] } });
      const service = new MicroflowService(stack.data, 'authz-svc', { name: 'test-authz', pods: app.pods, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
      stack.gateway.gateway.addExtensionProvider({
        name: 'test-authz', service, port: 'http',
        includeRequestHeadersInCheck: ['authorization', 'cookie'], headersToUpstreamOnAllow: copiedUpstream, headersToDownstreamOnDeny: ['set-cookie'],
      });
    }
    stack.app.synth();
    const objects = fs.readdirSync(dir).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as K8sObject[]).filter(Boolean);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio' && o.metadata.namespace === 'istio-system')!;
    return { mesh: yaml.load(cm.data.mesh), objects };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('without other providers the mesh is upstream\'s plus the login\'s', () => {
  const { mesh: m } = mesh(false);
  expect(m.rootNamespace).toBe('istio-system');
  expect(m.defaultConfig.discoveryAddress).toBe('istiod.istio-system.svc:15012');
  expect(m.extensionProviders.map((p: any) => p.name)).toEqual([LOGIN.extAuthzProvider]);
});

test('addExtensionProvider lands in the mesh as envoyExtAuthzHttp on the Service\'s FQDN and port, and opens the provider to the gateway', () => {
  const { mesh: m, objects } = mesh(true);
  expect(m.rootNamespace).toBe('istio-system');
  expect(m.extensionProviders.map((p: any) => p.name)).toEqual([LOGIN.extAuthzProvider, 'test-authz']);
  expect(m.extensionProviders[1]).toEqual({
    name: 'test-authz',
    envoyExtAuthzHttp: {
      service: 'test-authz.oauth2-proxy.svc.cluster.local', port: 80,
      includeRequestHeadersInCheck: ['authorization', 'cookie'], headersToUpstreamOnAllow: ['authorization'], headersToDownstreamOnDeny: ['set-cookie'],
    },
  });
  const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'test-authz-from-gateway')!;
  expect(np.metadata.namespace).toBe('oauth2-proxy');
  expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 4180 }]);
});

test('a provider may not copy upstream a header the gateway removes from every request (it would never arrive)', () => {
  expect(() => mesh(true, ['authorization', 'X-Auth-Request-Email']))
    .toThrow('extension provider "test-authz": the gateway removes X-Auth-Request-Email from every request before routing, so copying it upstream (headersToUpstreamOnAllow) would not reach the app');
});
