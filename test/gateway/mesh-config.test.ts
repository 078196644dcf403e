/**
 * istiod's mesh config: upstream's as vendored, plus the extension providers components add. Built
 * from the platform and gateway charts only: the whole stack's login adds its own provider (checked
 * by test/auth/login-stack.test.ts).
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { resolveConfig } from '../../lib/config';
import { GatewayChart } from '../../lib/gateway';
import { MicroflowService, PlatformChart, PolicyDeployment, WorkloadPolicy, type ContainerProps } from '../../lib/platform';
import type { K8sObject } from '../support/stack';

const probe = { tcpSocket: { port: 4180 } } as any;
const proxy: ContainerProps = { name: 'proxy', image: 'mysql', resources: 'mysql', readiness: probe, liveness: probe, ports: [{ name: 'http', port: 4180 }] };

function mesh(addProvider: boolean): { mesh: any; objects: K8sObject[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mesh-'));
  try {
    const config = resolveConfig({});
    const policy = new WorkloadPolicy(config);
    const cdk8sApp = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
    const platform = new PlatformChart(cdk8sApp, 'platform', { config });
    const gateway = new GatewayChart(cdk8sApp, 'gateway', { config, policy, istioNamespace: platform.namespaces.istio, kubeflowNamespace: platform.namespaces.kubeflow });
    if (addProvider) {
      // Added after the gateway chart was built, from another chart, as the login does.
      const other = new Chart(cdk8sApp, 'other');
      const app = new PolicyDeployment(other, 'authz', { name: 'oauth2-proxy', namespace: 'oauth2-proxy', policy, pod: { containers: [proxy] } });
      const service = new MicroflowService(other, 'authz-svc', { name: 'oauth2-proxy', pods: app.pods, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
      gateway.gateway.addExtensionProvider({
        name: 'oauth2-proxy', service, port: 'http',
        includeRequestHeadersInCheck: ['authorization', 'cookie'], headersToUpstreamOnAllow: ['authorization'], headersToDownstreamOnDeny: ['set-cookie'],
      });
    }
    cdk8sApp.synth();
    const objects = fs.readdirSync(dir).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as K8sObject[]).filter(Boolean);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio' && o.metadata.namespace === 'istio-system')!;
    return { mesh: yaml.load(cm.data.mesh), objects };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('without providers the mesh is upstream\'s', () => {
  const { mesh: m } = mesh(false);
  expect(m.rootNamespace).toBe('istio-system');
  expect(m.defaultConfig.discoveryAddress).toBe('istiod.istio-system.svc:15012');
  expect(m.extensionProviders).toBeUndefined();
});

test('addExtensionProvider lands in the mesh as envoyExtAuthzHttp on the Service\'s FQDN and port, and opens the provider to the gateway', () => {
  const { mesh: m, objects } = mesh(true);
  expect(m.rootNamespace).toBe('istio-system');
  expect(m.extensionProviders).toEqual([{
    name: 'oauth2-proxy',
    envoyExtAuthzHttp: {
      service: 'oauth2-proxy.oauth2-proxy.svc.cluster.local', port: 80,
      includeRequestHeadersInCheck: ['authorization', 'cookie'], headersToUpstreamOnAllow: ['authorization'], headersToDownstreamOnDeny: ['set-cookie'],
    },
  }]);
  const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'oauth2-proxy-from-gateway')!;
  expect(np.metadata.namespace).toBe('oauth2-proxy');
  expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 4180 }]);
});
