/**
 * The NetworkPolicy evaluator (lib/platform/network-policies.ts) on the API's semantics, case by case:
 * the reachability check and the architecture diagram trust it beside cyclonus, so what the rendered
 * policies do not use yet (matchExpressions, egress-only policies, ipBlock peers, other protocols)
 * must still be evaluated as the API server's CNI would.
 */
import { NetworkPolicies } from '../../lib/platform/network-policies';

const ns = (name: string, labels: Record<string, string> = {}) => ({ kind: 'Namespace', metadata: { name, labels } });
const policy = (name: string, namespace: string, spec: object) => ({ kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const server = { namespace: 'data', labels: { app: 'db' } };
const client = { namespace: 'apps', labels: { app: 'web', tier: 'front' } };

describe('which pods a policy selects', () => {
  test('a pod no policy selects admits everything; a selected pod only what a rule admits', () => {
    const p = new NetworkPolicies([ns('data'), ns('apps'), policy('other', 'data', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [] })]);
    expect(p.allows(client, server, 5432)).toBe(true);
    expect(p.admitting(client, server, 5432)).toEqual([]);
    const q = new NetworkPolicies([ns('data'), ns('apps'), policy('deny', 'data', { podSelector: {} })]);
    expect(q.allows(client, server, 5432)).toBe(false);
  });

  test('a policy in another namespace, or with only Egress in policyTypes, selects nothing here', () => {
    const p = new NetworkPolicies([
      policy('elsewhere', 'apps', { podSelector: {} }),
      policy('egress', 'data', { podSelector: {}, policyTypes: ['Egress'] }),
    ]);
    expect(p.allows(client, server, 5432)).toBe(true);
    expect(new NetworkPolicies([policy('both', 'data', { podSelector: {}, policyTypes: ['Egress', 'Ingress'] })]).allows(client, server, 5432)).toBe(false);
  });

  test.each([
    ['In, value present', { key: 'app', operator: 'In', values: ['db', 'x'] }, false],
    ['In, value absent', { key: 'app', operator: 'In', values: ['x'] }, true],
    ['In, key absent', { key: 'role', operator: 'In', values: ['db'] }, true],
    ['In, no values', { key: 'app', operator: 'In' }, true],
    ['NotIn, value present', { key: 'app', operator: 'NotIn', values: ['db'] }, true],
    ['NotIn, value absent', { key: 'app', operator: 'NotIn', values: ['x'] }, false],
    ['NotIn, key absent', { key: 'role', operator: 'NotIn', values: ['db'] }, false],
    ['NotIn, no values', { key: 'app', operator: 'NotIn' }, false],
    ['Exists, key present', { key: 'app', operator: 'Exists' }, false],
    ['Exists, key absent', { key: 'role', operator: 'Exists' }, true],
    ['DoesNotExist, key present', { key: 'app', operator: 'DoesNotExist' }, true],
    ['DoesNotExist, key absent', { key: 'role', operator: 'DoesNotExist' }, false],
  ])('podSelector matchExpressions: %s (deny-all selects the server: %s)', (_, expression, open) => {
    const p = new NetworkPolicies([policy('deny', 'data', { podSelector: { matchExpressions: [expression] } })]);
    expect(p.allows(client, server, 5432)).toBe(open);
  });

  test('matchLabels and matchExpressions must both match; an unknown operator is an error', () => {
    const both = (labels: object) => new NetworkPolicies([policy('deny', 'data', { podSelector: { matchLabels: labels, matchExpressions: [{ key: 'app', operator: 'Exists' }] } })]);
    expect(both({ app: 'db' }).allows(client, server, 5432)).toBe(false);
    expect(both({ app: 'other' }).allows(client, server, 5432)).toBe(true);
    expect(() => new NetworkPolicies([policy('bad', 'data', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Gt' }] } })]).allows(client, server, 1))
      .toThrow('netpol evaluator: unknown selector operator Gt');
  });
});

describe('what a rule admits', () => {
  const admitting = (rule: object, from: { namespace: string; labels: Record<string, string> } = client, port = 5432) => new NetworkPolicies([ns('data'), ns('apps', { team: 'web' }), policy('allow', 'data', { podSelector: {}, ingress: [rule] })]).admitting(from, server, port);

  test('ports: none listed is every port; a listed port only; UDP never admits TCP; a port entry without a number is every TCP port', () => {
    expect(admitting({})).toEqual(['allow']);
    expect(admitting({ ports: [] })).toEqual(['allow']);
    expect(admitting({ ports: [{ port: 5432 }] })).toEqual(['allow']);
    expect(admitting({ ports: [{ port: 5433 }] })).toEqual([]);
    expect(admitting({ ports: [{ port: 5432, protocol: 'UDP' }] })).toEqual([]);
    expect(admitting({ ports: [{ port: 5432, protocol: 'TCP' }] })).toEqual(['allow']);
    expect(admitting({ ports: [{ protocol: 'TCP' }] })).toEqual(['allow']);
    expect(admitting({ ports: [{ port: 1 }, { port: 5432 }] })).toEqual(['allow']);
  });

  test('peers: none listed is everyone; a podSelector alone means the policy\'s namespace; a namespaceSelector reads the namespace\'s labels', () => {
    expect(admitting({ from: [] })).toEqual(['allow']);
    expect(admitting({ from: [{ podSelector: { matchLabels: { app: 'web' } } }] })).toEqual([]);
    expect(admitting({ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }, { namespace: 'data', labels: { app: 'web' } })).toEqual(['allow']);
    expect(admitting({ from: [{ namespaceSelector: { matchLabels: { team: 'web' } } }] })).toEqual(['allow']);
    expect(admitting({ from: [{ namespaceSelector: { matchLabels: { team: 'db' } } }] })).toEqual([]);
    expect(admitting({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } }] })).toEqual(['allow']);
    // A namespace the objects do not declare still has the label the API server adds.
    expect(admitting({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }] }, { namespace: 'other', labels: {} })).toEqual(['allow']);
    expect(admitting({ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { tier: 'back' } } }] })).toEqual([]);
    expect(admitting({ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { tier: 'front' } } }] })).toEqual(['allow']);
    expect(admitting({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] })).toEqual([]);
    // Pod traffic is never matched by an ipBlock peer, not even from the policy's own namespace.
    expect(admitting({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }, { namespace: 'data', labels: { app: 'web' } })).toEqual([]);
    expect(admitting({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { namespaceSelector: {} }] })).toEqual(['allow']);
  });

  test('the port and the peer must both hold, in one rule; any rule of any selecting policy admits', () => {
    expect(admitting({ ports: [{ port: 5432 }], from: [{ namespaceSelector: { matchLabels: { team: 'db' } } }] })).toEqual([]);
    const p = new NetworkPolicies([ns('apps'), policy('a', 'data', { podSelector: {}, ingress: [{ ports: [{ port: 1 }] }] }), policy('b', 'data', { podSelector: {}, ingress: [{ ports: [{ port: 1 }] }, { ports: [{ port: 5432 }] }] })]);
    expect(p.admitting(client, server, 5432)).toEqual(['b']);
    expect(p.allows(client, server, 5432)).toBe(true);
    expect(p.allows(client, server, 2)).toBe(false);
  });
});

test('namespace labels come from Namespace objects only, not from other objects of the same name', () => {
  const allowTeamWeb = policy('allow', 'data', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } } }] }] });
  const configMap = { kind: 'ConfigMap', metadata: { name: 'apps', namespace: 'apps', labels: { team: 'other' } } };
  expect(new NetworkPolicies([ns('apps', { team: 'web' }), configMap, allowTeamWeb]).allows(client, server, 5432)).toBe(true);
});
