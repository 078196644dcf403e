/**
 * s3:// TensorBoards and the object-store key they read with: the Secret the sync container reads is
 * generated in the TensorBoard's namespace from that namespace's own key (never the root key),
 * registered read-write on the namespace's own prefix; `logs` the key cannot read fail validation,
 * naming the field.
 */
import { artifactGrant, ConfigError } from '../../lib/config';
import { Minio, OBJECT_STORE } from '../../lib/data';
import { TensorBoard } from '../../lib/notebooks';
import { storeSideSecret, USER_PODS_TO_STORE } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { constructHarness, exampleConfig, find, podSpecOf, rendered, variantConfig, type K8sObject } from '../support/stack';

const ROOT = OBJECT_STORE.secret.name;

/** One render per user count × store, each with one s3:// TensorBoard `runs` under what its owner's key opens. */
const CASES = {
  'one user, minio': { config: () => variantConfig('laptop with an s3 TensorBoard'), ns: 'you-microflow-local' },
  'one user, seaweedfs': {
    config: () => exampleConfig('laptop', { objectStore: 'seaweedfs', tensorboards: [{ name: 'runs', owner: 'you@microflow.local', logs: 's3://mlpipeline/private-artifacts/you-microflow-local/' }] }),
    ns: 'you-microflow-local',
  },
  'two users, minio': {
    config: () => exampleConfig('cluster', { tensorboards: [{ name: 'runs', owner: 'alice@example.org', logs: 's3://mlpipeline/private-artifacts/alice-example-org/v2' }] }),
    ns: 'alice-example-org',
  },
  'two users, seaweedfs': { config: () => variantConfig('laptop with seaweedfs'), ns: 'ann-microflow-local' },
} as const;
type CaseName = keyof typeof CASES;
const NAMES = Object.keys(CASES) as CaseName[];

const script = (o: K8sObject) => podSpecOf(o).containers[0].command[2] as string;
/** The IAM policy document the registration Job gives `ns`'s key (MinIO: a file for mc; SeaweedFS: PutUserPolicy). */
function registeredPolicy(objects: K8sObject[], ns: string): any {
  const text = script(find(objects, 'Job', 'pipelines-artifact-users', NAMESPACES.kubeflow));
  const m = new RegExp(`printf '%s' '([^']*)' > /tmp/kfp-${ns}\\.json`).exec(text) ?? new RegExp(`PolicyName=kfp-${ns} "PolicyDocument@\\$\\(put policy '([^']*)'\\)"`).exec(text);
  if (!m) throw new Error(`no policy for ${ns} in:\n${text}`);
  return JSON.parse(m[1]);
}

test.each(NAMES)('%s: the sync container reads the Secret generated in the TensorBoard\'s namespace, a copy of that namespace\'s own key', (name) => {
  const { ns } = CASES[name];
  const { objects } = rendered(CASES[name].config());
  const sync = podSpecOf(find(objects, 'Deployment', 'tensorboard-runs', ns)).containers.find((c: any) => c.name === 'sync');
  expect(new Set(sync.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef.name))).toEqual(new Set([ROOT]));

  const generator = find(objects, 'Job', 'pipelines-artifact-secrets', NAMESPACES.kubeflow);
  expect(generator.metadata.annotations['microflow.dev/generates-secrets'].split(',')).toContain(`${ns}/${ROOT}`);
  const own = storeSideSecret(ns);
  expect(script(generator)).toContain(`ensure ${ns} ${ROOT} accesskey=copy:${NAMESPACES.kubeflow}/${own}/accesskey secretkey=copy:${NAMESPACES.kubeflow}/${own}/secretkey`);
  // It cannot copy the root key even by mistake: in kubeflow it may read only the per-namespace keys.
  const role = find(objects, 'Role', 'pipelines-artifact-secrets', NAMESPACES.kubeflow);
  const readable = role.rules.filter((r: any) => r.verbs.includes('get')).flatMap((r: any) => r.resourceNames ?? ['*']);
  expect(readable).not.toContain(ROOT);
  expect(readable).not.toContain('*');
});

test.each(NAMES)('%s: the key is registered read-write on the namespace\'s own prefix', (name) => {
  const { ns } = CASES[name];
  const { objects } = rendered(CASES[name].config());
  const prefix = `private-artifacts/${ns}/`;
  expect(registeredPolicy(objects, ns)).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`arn:aws:s3:::mlpipeline/${prefix}*`],
      },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::mlpipeline'], Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: ['arn:aws:s3:::mlpipeline'] },
    ],
  });
  // Any pod of the namespace reaches the store (labels are the user's), the key being the boundary.
  const allow = find(objects, 'NetworkPolicy', USER_PODS_TO_STORE, NAMESPACES.kubeflow);
  expect(JSON.stringify(allow.spec.ingress[0].from)).toContain(`"kubernetes.io/metadata.name":"${ns}"`);
});

describe('logs the owner\'s key cannot read fail validation, naming the TensorBoard, the field and the allowed folder', () => {
  const problems = (example: 'laptop' | 'cluster', logs: string[], owner: string): string[] => {
    try {
      exampleConfig(example, { tensorboards: logs.map((l, i) => ({ name: `tb${i}`, owner, logs: l })) });
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.problems;
    }
  };

  test('outside the namespace\'s own prefix (another folder, another user, a look-alike, another bucket, dot segments)', () => {
    const ok = ['s3://mlpipeline/private-artifacts/alice-example-org', 's3://mlpipeline/private-artifacts/alice-example-org/v2/artifacts/x/'];
    const bad = [
      's3://mlpipeline/tensorboard/alice/run-1',
      's3://mlpipeline/private-artifacts/bob/run-1',
      's3://mlpipeline/private-artifacts/alice-example-orgx/',
      's3://microflow-backups/private-artifacts/alice-example-org/',
      's3://mlpipeline',
    ];
    const expected = 'each namespace\'s key opens its own prefix only';
    expect(problems('cluster', [...ok, ...bad], 'alice@example.org')).toEqual(bad.map((logs, i) =>
      `tensorboards.${i + ok.length}.logs: TensorBoard "tb${i + ok.length}" (owner alice@example.org): ${logs} is outside what namespace alice-example-org's object-store key may read; expected a folder under s3://mlpipeline/private-artifacts/alice-example-org/ (${expected})`));
    expect(problems('cluster', ['s3://mlpipeline/private-artifacts/alice-example-org/../bob/'], 'alice@example.org')).toEqual([
      'tensorboards.0.logs: TensorBoard "tb0" (owner alice@example.org): s3://mlpipeline/private-artifacts/alice-example-org/../bob/ has "." or ".." segments: name the folder as stored',
    ]);
  });

  test('one user: the runs\' prefix of kubeflow (where single-user runs wrote) is outside too', () => {
    expect(problems('laptop', ['s3://mlpipeline/private-artifacts/you-microflow-local/v2/artifacts', 'pvc://scratch-workspace/logs'], 'you@microflow.local')).toEqual([]);
    const bad = ['s3://microflow-backups/mysql/', 's3://mlpipeline/private-artifacts/kubeflow/'];
    expect(problems('laptop', bad, 'you@microflow.local')).toEqual(bad.map((logs, i) =>
      `tensorboards.${i}.logs: TensorBoard "tb${i}" (owner you@microflow.local): ${logs} is outside what namespace you-microflow-local's object-store key may read; expected a folder under s3://mlpipeline/private-artifacts/you-microflow-local/ (each namespace's key opens its own prefix only)`));
  });
});

test('the construct refuses s3:// logs where no key is generated, or outside the key\'s grant, naming the TensorBoard', () => {
  const make = (logs: string, grant?: ReturnType<typeof artifactGrant>) => () => {
    const { chart, policy } = constructHarness();
    const { store } = new Minio(chart, 'm', { namespace: NAMESPACES.kubeflow, storageSize: '1Gi', storageClass: 'x', policy, externalUrl: 'https://x.example.org' });
    new TensorBoard(chart, 'tb', { tensorboard: { name: 'runs', owner: 'you@microflow.local', logs }, namespace: 'you-microflow-local', policy, store, grant });
  };
  expect(make('s3://mlpipeline/private-artifacts/kubeflow/')).toThrow('TensorBoard "runs" (owner you@microflow.local): s3:// logs need an object-store key in namespace you-microflow-local, and none is generated there');
  expect(make('s3://mlpipeline/other/', artifactGrant('you-microflow-local'))).toThrow(/TensorBoard "runs" .*s3:\/\/mlpipeline\/other\/ is outside .*s3:\/\/mlpipeline\/private-artifacts\/you-microflow-local\//);
  expect(make('s3://mlpipeline/private-artifacts/you-microflow-local/', artifactGrant('you-microflow-local'))).not.toThrow();
  expect(make('pvc://scratch-workspace/logs')).not.toThrow();
});
