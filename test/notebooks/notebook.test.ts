import * as yaml from 'js-yaml';
import { Notebook, NOTEBOOKS, KEEP_ON_PRUNE } from '../../lib/notebooks';
import { constructHarness, find, type K8sObject } from '../support/stack';

const owner = 'ada@example.org';
function render(input: Record<string, unknown>, notebook: Record<string, unknown>): K8sObject[] {
  const { chart, config, policy, synth } = constructHarness({ users: [owner], ...input, notebooks: [{ owner, ...notebook }] });
  new Notebook(chart, 'Nb', { notebook: config.notebooks[0], namespace: 'ada', config, policy });
  return synth();
}

test('a CPU notebook: workspace claim kept through pruning, Notebook v1 in the owner\'s namespace, restricted pod', () => {
  const objects = render({}, { name: 'scratch' });
  const claim = find(objects, 'PersistentVolumeClaim', 'scratch-workspace', 'ada');
  expect(claim.metadata.annotations).toEqual(KEEP_ON_PRUNE);
  expect((claim.metadata as any).ownerReferences).toBeUndefined();
  expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'microk8s-hostpath', resources: { requests: { storage: '5Gi' } } });
  const nb = find(objects, 'Notebook', 'scratch', 'ada');
  expect(nb.apiVersion).toBe('kubeflow.org/v1');
  const spec = nb.spec.template.spec;
  expect(spec.serviceAccountName).toBe(NOTEBOOKS.serviceAccount);
  expect(spec.automountServiceAccountToken).toBe(false);
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 100, fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } });
  const c = spec.containers[0];
  expect(c.name).toBe('scratch');
  expect(c.image).toBe('ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.11.0');
  expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
  expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '600m', memory: '1229Mi' } });
  expect(c.ports).toEqual([{ name: 'notebook-port', containerPort: 8888, protocol: 'TCP' }]);
  expect(c.readinessProbe.tcpSocket.port).toBe('notebook-port');
  expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'workspace', mountPath: '/home/jovyan' }]));
  expect(c.env).toEqual([{ name: 'KF_PIPELINES_SA_TOKEN_PATH', value: '/var/run/secrets/kubeflow/pipelines/token' }]);
  const token = spec.volumes.find((v: any) => v.projected);
  expect(token.projected.sources[0].serviceAccountToken).toEqual({ path: 'token', audience: 'pipelines.kubeflow.org', expirationSeconds: 7200 });
  expect(spec.nodeSelector).toBeUndefined();
  expect(JSON.stringify(nb)).not.toContain('nvidia');
});

test('a GPU notebook gets the GPU placement from lib/gpu; data volumes are claimed or reused', () => {
  const objects = render({ profile: 'gpu-workstation' }, {
    name: 'train', image: 'jupyter-pytorch-cuda-full', gpus: 1, cpu: '2', memory: '8Gi', workspaceSize: '20Gi',
    dataVolumes: [{ name: 'datasets', mountPath: '/home/jovyan/datasets', size: '50Gi' }, { name: 'shared', mountPath: '/shared', claim: 'team-data' }],
  });
  const spec = find(objects, 'Notebook', 'train').spec.template.spec;
  expect(spec.runtimeClassName).toBe('nvidia');
  expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
  expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  expect(spec.containers[0].resources.requests['nvidia.com/gpu']).toBe('1');
  expect(find(objects, 'PersistentVolumeClaim', 'train-workspace').spec.resources.requests.storage).toBe('20Gi');
  expect(find(objects, 'PersistentVolumeClaim', 'train-datasets').spec.resources.requests.storage).toBe('50Gi');
  expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name).sort()).toEqual(['train-datasets', 'train-workspace']);
  expect(spec.volumes.find((v: any) => v.name === 'shared').persistentVolumeClaim.claimName).toBe('team-data');
});

/** Python's str.format as the web app applies it to the template (no other braces may appear). */
const pyFormat = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k) => {
  if (!(k in values)) throw new Error(`KeyError: ${k}`);
  return values[k];
});

describe('Jupyter web app configuration', () => {
  const webApp = (input: Record<string, unknown>) => {
    const { chart, config, policy, synth } = constructHarness(input);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JupyterWebApp } = require('../../lib/notebooks');
    new JupyterWebApp(chart, 'Jwa', { namespace: 'kubeflow', config, policy, userIdHeader: 'kubeflow-userid', secureCookies: false });
    return find(synth(), 'ConfigMap', 'jupyter-web-app-config').data as Record<string, string>;
  };

  test('its notebook template becomes, once the web app fills it in, the same restricted notebook pod', () => {
    const text = webApp({})['notebook_template.yaml'];
    const nb = yaml.load(pyFormat(text, { name: 'demo', namespace: 'ada', serviceAccount: 'default-editor', creator: owner })) as any;
    expect(nb.apiVersion).toBe('kubeflow.org/v1beta1');
    expect(nb.metadata).toMatchObject({ name: 'demo', namespace: 'ada', labels: { app: 'demo' } });
    expect(nb.metadata.annotations).toEqual({ 'notebooks.kubeflow.org/server-type': '', 'notebooks.kubeflow.org/creator': owner });
    const spec = nb.spec.template.spec;
    // What the web app's form functions index into must exist.
    expect(spec.tolerations).toEqual([]);
    expect(Array.isArray(spec.volumes)).toBe(true);
    const c = spec.containers[0];
    expect(c.name).toBe('demo');
    expect(c.resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(Array.isArray(c.volumeMounts) && Array.isArray(c.env)).toBe(true);
    // The form adds /dev/shm itself.
    expect(spec.volumes.map((v: any) => v.name)).not.toContain('dshm');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(spec.serviceAccountName).toBe('default-editor');
  });

  test('spawner config in the forms the web app parses (float cores, Gi), GPU choices only with GPUs', () => {
    const laptop = (yaml.load(webApp({})['spawner_ui_config.yaml']) as any).spawnerFormDefaults;
    expect(laptop.cpu).toEqual({ readOnly: false, value: '0.5', limitFactor: '1.2' });
    expect(laptop.memory).toEqual({ readOnly: false, value: '1Gi', limitFactor: '1.2' });
    expect(laptop.gpus).toEqual({ readOnly: true, value: { vendor: '', vendors: [], num: 'none' } });
    expect(laptop.image.value).toBe('ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.11.0');
    expect(laptop.workspaceVolume.value.newPvc.spec).toEqual({ storageClassName: 'microk8s-hostpath', resources: { requests: { storage: '5Gi' } }, accessModes: ['ReadWriteOnce'] });
    expect(laptop.affinityConfig.options).toEqual([]);
    const gpu = (yaml.load(webApp({ profile: 'cluster', jupyter: { memory: '1536Mi' } })['spawner_ui_config.yaml']) as any).spawnerFormDefaults;
    expect(gpu.memory.value).toBe('1.5Gi');
    expect(gpu.gpus.value.vendors).toEqual([{ limitsKey: 'nvidia.com/gpu', uiName: 'NVIDIA' }]);
    expect(gpu.tolerationGroup.options[0].tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(gpu.affinityConfig.options[0].affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }]);
  });
});

test('culling follows the profile: on for the laptop, off elsewhere unless configured', () => {
  const env = (input: Record<string, unknown>) => {
    const { chart, config, policy, synth } = constructHarness(input);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { NotebookController } = require('../../lib/notebooks');
    new NotebookController(chart, 'C', { namespace: 'kubeflow', policy, jupyter: config.jupyter, gateway: 'kubeflow/kubeflow-gateway' });
    const d = find(synth(), 'Deployment', 'notebook-controller');
    return Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  };
  expect(env({})).toMatchObject({ ENABLE_CULLING: 'true', CULL_IDLE_TIME: '60', USE_ISTIO: 'true', ISTIO_GATEWAY: 'kubeflow/kubeflow-gateway' });
  expect(env({ profile: 'cluster' })).toMatchObject({ ENABLE_CULLING: 'false' });
  expect(env({ profile: 'cluster', jupyter: { culling: { enabled: true, idleMinutes: 120, checkPeriodMinutes: 5 } } }))
    .toMatchObject({ ENABLE_CULLING: 'true', CULL_IDLE_TIME: '120', IDLENESS_CHECK_PERIOD: '5' });
});
