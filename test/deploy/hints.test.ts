/** What the deploy prints at the end, from its components' annotations (the laptop render's: commands.test.ts). */
import { deployHints, formatHints, type Manifest } from '../../lib/deploy';
import { DEPLOY_HINT_ANNOTATIONS } from '../../lib/platform';

test('without a login URL: which annotations a login component would carry', () => {
  expect(formatHints({})).toBe('login: this stack has no login component yet (when it does, its objects carry the '
    + `${DEPLOY_HINT_ANNOTATIONS.loginUrl} and ${DEPLOY_HINT_ANNOTATIONS.passwordCommand} annotations and they are printed here)`);
});

test('a login URL and the command that prints the generated password', () => {
  expect(formatHints({ loginUrl: 'https://microflow.local/', passwordCommand: 'kubectl get secret x' })).toBe('log in at https://microflow.local/\nyour generated password: kubectl get secret x');
});

test('a login URL without a password command: one line', () => {
  expect(formatHints({ loginUrl: 'https://microflow.local/' })).toBe('log in at https://microflow.local/');
});

test('each hint comes from the first object carrying it; objects without annotations are skipped', () => {
  const o = (name: string, annotations?: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) } });
  expect(deployHints([
    o('plain'),
    o('first', { [DEPLOY_HINT_ANNOTATIONS.loginUrl]: 'https://a/' }),
    o('second', { [DEPLOY_HINT_ANNOTATIONS.loginUrl]: 'https://b/', [DEPLOY_HINT_ANNOTATIONS.passwordCommand]: 'cmd' }),
  ])).toEqual({ loginUrl: 'https://a/', passwordCommand: 'cmd', warnings: [] });
});

test('the deploy command prints a rendered warning before anything else', async () => {
  const fs = await import('fs');
  const os = await import('os');
  const path = await import('path');
  const yaml = await import('js-yaml');
  const { run } = await import('../../scripts/microflow');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-warning-'));
  try {
    const gateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'kubeflow', annotations: { [DEPLOY_HINT_ANNOTATIONS.warning]: 'plain HTTP' } }, spec: {} };
    fs.writeFileSync(path.join(dir, '0000-gateway.k8s.yaml'), yaml.dump(gateway));
    const out: string[] = [];
    // kubectl fails at once: whatever the deploy does next, the warning came first.
    await run(['deploy', '--skip-preflight', dir], { kubectl: () => ({ status: 1, stdout: '', stderr: 'no cluster\n' }), say: (l = '') => out.push(l) }, () => undefined);
    expect(out[0]).toBe('warning: plain HTTP');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
