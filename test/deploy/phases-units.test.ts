/**
 * The pieces the phase planner is made of, case by case: label selectors as the API server
 * evaluates them, reading a rendered folder in apply order, and which webhook configurations make a
 * boundary (only a non-core group, only a server the render itself runs).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planPhases, readRendered, selects, type Manifest } from '../../lib/deploy';

describe('selects', () => {
  const labels = { app: 'a', tier: 'web' };
  test.each([
    ['no selector selects everything', undefined, true],
    ['an empty selector selects everything', {}, true],
    ['matchLabels: all must match', { matchLabels: { app: 'a', tier: 'web' } }, true],
    ['matchLabels: one differs', { matchLabels: { app: 'a', tier: 'db' } }, false],
    ['In: present with a listed value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'a'] }] }, true],
    ['In: present with another value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['x'] }] }, false],
    ['In: absent', { matchExpressions: [{ key: 'rev', operator: 'In', values: ['a'] }] }, false],
    ['NotIn: absent', { matchExpressions: [{ key: 'rev', operator: 'NotIn', values: ['a'] }] }, true],
    ['NotIn: present with another value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x'] }] }, true],
    ['NotIn: present with a listed value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, false],
    ['Exists: present', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists: absent', { matchExpressions: [{ key: 'rev', operator: 'Exists' }] }, false],
    ['DoesNotExist: absent', { matchExpressions: [{ key: 'rev', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist: present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['labels and expressions must both hold', { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'rev', operator: 'Exists' }] }, false],
  ])('%s', (_what, selector, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });

  test('an unknown operator is an error naming it', () => {
    expect(() => selects({ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, labels)).toThrow('unknown selector operator Gt');
  });
});

describe('readRendered', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-read-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every YAML file in file-name order, every document, empty documents skipped, other files ignored', () => {
    fs.writeFileSync(path.join(dir, '0001-b.k8s.yaml'), 'kind: B1\nmetadata: { name: b1 }\n---\n---\nkind: B2\nmetadata: { name: b2 }\n');
    fs.writeFileSync(path.join(dir, '0000-a.k8s.yaml'), 'kind: A\nmetadata: { name: a }\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'kind: NotYaml\n');
    expect(readRendered(dir).map((o) => o.kind)).toEqual(['A', 'B1', 'B2']);
  });

  test('an empty folder says to render first', () => {
    expect(() => readRendered(dir)).toThrow(`no manifests in ${dir}: run \`npm run synth\` first`);
  });
});

describe('which webhooks make a boundary', () => {
  const service: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hook', namespace: 'sys' }, spec: { selector: { app: 'hook' } } } as any;
  const server = (labels: Record<string, string>, namespace = 'sys'): Manifest =>
    ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hook', namespace }, spec: { template: { metadata: { labels } } } } as any);
  const config = (kind: string, apiGroups: string[], ref = { name: 'hook', namespace: 'sys' }): Manifest =>
    ({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: 'cfg' }, webhooks: [{ name: 'w', clientConfig: { service: ref }, rules: [{ apiGroups }] }] } as any);
  const widget: Manifest = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'sys' } };
  const cm: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'sys' } };
  const names = (objects: Manifest[]) => planPhases(objects).map((p) => `${p.name}:${p.objects.map((o) => o.kind).join(',')}`);

  test('a mutating webhook of a served group splits the render like a validating one', () => {
    const phases = planPhases([service, server({ app: 'hook', extra: 'x' }), config('MutatingWebhookConfiguration', ['example.com']), widget, cm]);
    expect(phases.map((p) => p.name)).toEqual(['platform', 'webhook-validated']);
    expect(phases[0].objects).not.toContain(widget);
    expect(phases[0].waitAvailable).toEqual(['sys/hook']);
    expect(phases[0].waitWebhooks).toEqual(['MutatingWebhookConfiguration/cfg']);
    expect(phases[1].objects).toEqual([widget]);
  });

  test.each([
    ['the core group or "*" (they would hold back everything)', ['', '*'], { app: 'hook' }, 'sys'],
    ['a group no rendered object has', ['other.example.com'], { app: 'hook' }, 'sys'],
    ['a server whose labels do not match the Service', ['example.com'], { app: 'other' }, 'sys'],
    ['a server in another namespace', ['example.com'], { app: 'hook' }, 'elsewhere'],
  ])('no boundary for %s', (_what, groups, labels, ns) => {
    expect(names([service, server(labels, ns), config('ValidatingWebhookConfiguration', groups), widget, cm])).toEqual(['platform:Service,Deployment,ValidatingWebhookConfiguration,Widget,ConfigMap']);
  });

  test('no boundary when the webhook\'s Service is not rendered (an external server)', () => {
    expect(names([server({ app: 'hook' }), config('ValidatingWebhookConfiguration', ['example.com'], { name: 'gone', namespace: 'sys' }), widget]))
      .toEqual(['platform:Deployment,ValidatingWebhookConfiguration,Widget']);
  });

  test('the two phases in full: everything else first, waiting for the server and its CA bundle; then what the webhook validates', () => {
    const srv = server({ app: 'hook' });
    const cfg = config('ValidatingWebhookConfiguration', ['example.com']);
    expect(planPhases([service, srv, cfg, widget, cm])).toEqual([
      { name: 'platform', objects: [service, srv, cfg, cm], waitEstablished: [], waitAvailable: ['sys/hook'], waitWebhooks: ['ValidatingWebhookConfiguration/cfg'] },
      { name: 'webhook-validated', objects: [widget], waitEstablished: [] },
    ]);
  });

  test('a webhook that validates nothing rendered adds no server to wait for, even beside one that does', () => {
    const other: Manifest = { ...service, metadata: { name: 'hook2', namespace: 'sys' }, spec: { selector: { app: 'hook2' } } } as any;
    const cfg = config('ValidatingWebhookConfiguration', ['example.com']) as any;
    cfg.webhooks.push({ name: 'w2', clientConfig: { service: { name: 'hook2', namespace: 'sys' } }, rules: [{ apiGroups: ['other.example.com'] }] });
    const phases = planPhases([service, other, server({ app: 'hook' }), { ...server({ app: 'hook2' }), metadata: { name: 'hook2', namespace: 'sys' } }, cfg, widget]);
    expect(phases[0].waitAvailable).toEqual(['sys/hook']);
  });

  test('the webhook\'s Service is the one of that kind, name and namespace; its server carries every label of its selector', () => {
    const decoy = (name: string, namespace: string): Manifest => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: 'decoy' } } } as any);
    // A Deployment named like the Service, with the selector a real Deployment has.
    const srv = { ...server({ app: 'hook' }), spec: { selector: { matchLabels: { app: 'hook' } }, template: { metadata: { labels: { app: 'hook' } } } } } as any;
    const rendered = [decoy('hook', 'elsewhere'), decoy('other', 'sys'), srv, service, config('ValidatingWebhookConfiguration', ['example.com']), widget];
    expect(planPhases(rendered)[0].waitAvailable).toEqual(['sys/hook']);
    const twoLabels = { ...service, spec: { selector: { app: 'hook', tier: 'webhook' } } } as any;
    expect(names([twoLabels, server({ app: 'hook' }), config('ValidatingWebhookConfiguration', ['example.com']), widget])).toEqual(['platform:Service,Deployment,ValidatingWebhookConfiguration,Widget']);
  });
});
