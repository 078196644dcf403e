/**
 * KFP 2.17.0's TaskService authorizes nobody (docs/security.md, path 4), so microflow runs with step
 * caching off (its only legitimate caller, the driver/launcher cache client, then never dials it)
 * and the `ml-pipeline` guard refuses it. Here, in every rendered variant: the API server's switch
 * is a literal no configuration reaches, and each of the guard's servers answers the TaskService's
 * REST and gRPC paths itself with 403 before `location /` could forward them. The native test
 * (api-guard.native.test.ts) proves the same configuration with the real nginx and attackers' spellings.
 */
import { LOGIN } from '../../lib/auth';
import { IDENTITY_HEADERS, KFP } from '../../lib/pipelines';
import { configHashAnnotation, CONFIG_HASH_ANNOTATION, NAMESPACES } from '../../lib/platform';
import { find, VARIANTS, variantObjects } from '../support/stack';

const apiContainer = (variant: string) =>
  (find(variantObjects(variant), 'Deployment', KFP.apiDeployment, NAMESPACES.kubeflow) as any).spec.template.spec.containers[0];

test.each(VARIANTS.map((v) => [v]))('%s: the API server runs with step caching off, as a literal', (variant) => {
  const c = apiContainer(variant);
  // 2.17.0 reads env CACHEENABLED (viper, over the image's config.json "CacheEnabled": "true").
  // Kubernetes keeps the last of duplicate names: exactly one, no reference a ConfigMap edit could change.
  expect(c.env.filter((e: any) => e.name.toUpperCase() === 'CACHEENABLED')).toEqual([{ name: 'CACHEENABLED', value: 'false' }]);
  expect(c.envFrom).toBeUndefined();
  const installConfig = find(variantObjects(variant), 'ConfigMap', KFP.installConfig, NAMESPACES.kubeflow) as any;
  expect(Object.keys(installConfig.data).filter((k) => /cache/i.test(k))).toEqual([]);
});

/** `server { ... }` blocks of an nginx configuration, each with its locations in order. */
function servers(conf: string): { listen: string; locations: { modifier: string; match: string; body: string }[] }[] {
  const out: { listen: string; locations: { modifier: string; match: string; body: string }[] }[] = [];
  for (let at = conf.indexOf('server {'); at >= 0; at = conf.indexOf('server {', at + 1)) {
    let depth = 0;
    let end = at;
    for (let i = conf.indexOf('{', at); i < conf.length; i++) {
      if (conf[i] === '{') depth++;
      if (conf[i] === '}' && --depth === 0) { end = i; break; }
    }
    const block = conf.slice(at, end);
    // Location bodies here hold no nested braces outside quoted strings; quoted ones are skipped.
    const locations = [...block.matchAll(/location\s+(=|~\*|~|\^~)?\s*(\S+)\s*\{((?:'[^']*'|"[^"]*"|[^{}'"])*)\}/g)]
      .map((m) => ({ modifier: m[1] ?? '', match: m[2], body: m[3] }));
    out.push({ listen: /listen\s+([^;]+);/.exec(block)![1], locations });
  }
  return out;
}

const REFUSED = {
  rest: ['/apis/v1alpha1/tasks', '/APIS/V1alpha1/Tasks', '/apis/v1alpha1/tasks/x', '/apis/v1alpha1/tasks:list'],
  grpc: ['/api.TaskService/CreateTaskV1', '/api.TaskService/ListTasksV1', '/API.TASKSERVICE/ListTasksV1'],
};
const PASSED = ['/apis/v2beta1/runs', '/apis/v1beta1/runs', '/kubeflow.pipelines.backend.api.v2beta1.RunService/ListRuns', '/api.RunService/ListRunsV1'];

test.each(VARIANTS.map((v) => [v]))('%s: both guard servers refuse the TaskService (REST and gRPC) with 403 and forward the rest', (variant) => {
  const conf = find(variantObjects(variant), 'ConfigMap', KFP.apiGuard, NAMESPACES.kubeflow).data['nginx.conf'] as string;
  expect(conf).not.toMatch(/merge_slashes\s+off/);
  const all = servers(conf);
  expect(all.map((s) => s.listen)).toEqual([String(KFP.httpPort), `${KFP.grpcPort} http2`]);
  for (const server of all) {
    // `^~` would stop nginx from looking at regex locations; none may exist.
    expect(server.locations.filter((l) => l.modifier === '^~')).toEqual([]);
    // nginx: an exact match first, then the first matching regex, else the longest prefix.
    const chosen = (uri: string) => server.locations.find((l) => l.modifier === '=' && l.match === uri)
      ?? server.locations.find((l) => l.modifier.startsWith('~') && new RegExp(l.match, l.modifier === '~*' ? 'i' : '').test(uri))
      ?? server.locations.filter((l) => l.modifier === '' && uri.startsWith(l.match)).sort((a, b) => b.match.length - a.match.length)[0];
    for (const uri of [...REFUSED.rest, ...REFUSED.grpc]) {
      const l = chosen(uri);
      expect({ server: server.listen, uri, refused: /return\s+403\b/.test(l?.body ?? ''), forwards: /_pass\s/.test(l?.body ?? '') })
        .toEqual({ server: server.listen, uri, refused: true, forwards: false });
    }
    for (const uri of PASSED) expect({ uri, forwards: /(proxy|grpc)_pass\s/.test(chosen(uri)?.body ?? '') }).toEqual({ uri, forwards: true });
  }
});

test.each(VARIANTS.map((v) => [v]))('%s: the guard\'s pods carry the hash of its nginx.conf, so an upgrade that adds a refusal rolls them', (variant) => {
  const objects = variantObjects(variant);
  const conf = find(objects, 'ConfigMap', KFP.apiGuard, NAMESPACES.kubeflow).data['nginx.conf'] as string;
  const guard = find(objects, 'Deployment', KFP.apiGuard, NAMESPACES.kubeflow) as any;
  expect(guard.spec.template.metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(configHashAnnotation(conf)[CONFIG_HASH_ANNOTATION]);
});

test('the identity headers the guard strips are the gateway\'s: one list, kubeflow-userid and kubeflow-groups', () => {
  expect(Object.values(IDENTITY_HEADERS).sort()).toEqual([LOGIN.userIdHeader, LOGIN.groupsHeader].sort());
  expect(Object.values(IDENTITY_HEADERS).sort()).toEqual(['kubeflow-groups', 'kubeflow-userid']);
});

test.each(VARIANTS.map((v) => [v]))('%s: both guard servers, REST and gRPC, clear every identity header wherever they forward', (variant) => {
  // A pod calling ml-pipeline:8887 (gRPC) with kubeflow-userid: alice would otherwise be alice to the API server.
  const conf = find(variantObjects(variant), 'ConfigMap', KFP.apiGuard, NAMESPACES.kubeflow).data['nginx.conf'] as string;
  const all = servers(conf);
  expect(all.map((s) => s.listen)).toEqual([String(KFP.httpPort), `${KFP.grpcPort} http2`]);
  for (const server of all) {
    const forwarding = server.locations.filter((l) => /\b(proxy|grpc)_pass\s/.test(l.body));
    expect({ server: server.listen, forwarding: forwarding.length }).toEqual({ server: server.listen, forwarding: 1 });
    for (const l of forwarding) {
      // proxy_pass takes proxy_set_header, grpc_pass grpc_set_header: the other kind would be ignored.
      const directive = /\bgrpc_pass\s/.test(l.body) ? 'grpc_set_header' : 'proxy_set_header';
      const cleared = [...l.body.matchAll(new RegExp(`\\b${directive}\\s+(\\S+)\\s+""\\s*;`, 'g'))].map((m) => m[1].toLowerCase()).sort();
      expect({ server: server.listen, directive, cleared }).toEqual({ server: server.listen, directive, cleared: Object.values(IDENTITY_HEADERS).sort() });
    }
  }
  // One server speaks each protocol: the gRPC port's forwarder is grpc_pass.
  expect(all.map((s) => s.locations.filter((l) => /_pass\s/.test(l.body)).map((l) => /grpc_pass/.test(l.body) ? 'grpc' : 'http'))).toEqual([['http'], ['grpc']]);
});
