/**
 * Runs a rendered container's shell script for real under the container's own shell (its command's
 * `/bin/sh -c` or `/bin/bash -c`, as the kubelet would start it), against the test doubles in
 * test/data/fakes (kubectl, mc, mysql, sleep), with the container's literal env and stand-ins for
 * values the kubelet would fill in from Secrets and fields. Paths the scripts write to (/tmp, the
 * dump folder) are pointed into `work`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const FAKES = path.join(__dirname, '..', 'data', 'fakes');

/** Where the doubles keep their state under `work`. */
export const fakeState = (work: string) => ({
  s3: path.join(work, 's3'),
  k8s: path.join(work, 'k8s'),
  sleepCalls: path.join(work, 'sleep.calls'),
});

export function runScript(container: any, work: string, extraEnv: Record<string, string> = {}) {
  const script: string = container.command[2];
  const state = fakeState(work);
  const env: Record<string, string> = {
    PATH: `${FAKES}:/usr/bin:/bin`, FAKE_S3: state.s3, FAKE_K8S: state.k8s, TMPDIR: path.join(work, 'tmp'), FAKE_SLEEP_CALLS: state.sleepCalls,
  };
  for (const e of container.env ?? []) env[e.name] = e.value ?? `from-${e.valueFrom.secretKeyRef?.key ?? 'field'}`;
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  fs.mkdirSync(state.s3, { recursive: true });
  const patched = script.replace(/\/tmp\//g, `${env.TMPDIR}/`).replace(/\/backup\//g, `${work}/backup/`);
  // stdin is /dev/null, as in a pod: on a pipe (a socket pair, under node) bash takes itself for a remote shell and reads ~/.bashrc.
  return spawnSync(container.command[0], [container.command[1], patched], { cwd: work, env: { ...env, ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A Secret as the kubectl double keeps it under `k8sRoot` (FAKE_K8S): key → value, keys sorted. */
export function readFakeSecret(k8sRoot: string, namespace: string, name: string): Record<string, string> {
  const dir = path.join(k8sRoot, namespace, name);
  return Object.fromEntries(fs.readdirSync(dir).sort().map((k) => [k, fs.readFileSync(path.join(dir, k), 'utf8')]));
}

/** Puts a Secret where the kubectl double finds it, as if someone had created it beforehand. */
export function writeFakeSecret(k8sRoot: string, namespace: string, name: string, data: Record<string, string>): void {
  const dir = path.join(k8sRoot, namespace, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(data)) fs.writeFileSync(path.join(dir, k), v);
}
