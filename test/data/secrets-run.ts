/**
 * What both halves of the GeneratedSecrets run tests share: a render of the construct alone, a
 * scratch folder per test (the fake API server's state lives in it) and the double's Secrets.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GeneratedSecrets, type GeneratedSecretSpec } from '../../lib/data';
import { fakeState, readFakeSecret, writeFakeSecret } from '../support/run-script';
import { constructHarness } from '../support/stack';

export const HOME = 'kubeflow';
export const render = (secrets: GeneratedSecretSpec[]) => {
  const h = constructHarness();
  new GeneratedSecrets(h.chart, 'g', { namespace: HOME, policy: h.policy, secrets });
  return h.synth();
};

/** Registers a fresh folder per test (removed after it); returns the accessors for the running test's. */
export function scratch() {
  let work: string;
  beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-secrets-run-')); });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
  const k8s = () => fakeState(work).k8s;
  return {
    work: () => work,
    k8s,
    secret: (ns: string, name: string) => readFakeSecret(k8s(), ns, name),
    premade: (ns: string, name: string, data: Record<string, string>) => writeFakeSecret(k8s(), ns, name, data),
  };
}
