/**
 * A Workflow shaped like the one KFP 2.17's API server compiles for a two-task pipeline
 * (backend/src/v2/compiler/argocompiler: testdata/hello_world.yaml, container.go, dag.go,
 * security_context.go): a root DAG driver, then per task a container driver and the executor
 * template whose pod spec comes from the driver's `pod-spec-patch` output, the launcher copied in
 * by an init container. Images are the ones the rendered API server passes (V2_DRIVER_IMAGE,
 * V2_LAUNCHER_IMAGE). Only what the controller and the API server see is reproduced; the long
 * component-spec parameters are abbreviated.
 */
import { Workflow } from '../../../imports/argoproj.io';

const restricted = {
  allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};
const userContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
const podRestricted = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

export interface KfpWorkflowProps {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly driverImage: string;
  readonly launcherImage: string;
}

/** Outputs the driver writes (reported by the executor as a WorkflowTaskResult), by template. */
export function driverOutputs(template: string, stepImage: string, runAsUser: number): Record<string, string> | undefined {
  if (template === 'system-dag-driver') return { 'execution-id': '1', 'iteration-count': '0', condition: 'true' };
  if (template === 'system-container-driver') {
    // What the driver puts in the step pod: the component's image and command, the default security context.
    const patch = {
      containers: [{ name: 'main', image: stepImage, command: ['/kfp-launcher/launch', 'python3', '-c', 'print(1)'], securityContext: { runAsUser, runAsGroup: runAsUser, runAsNonRoot: true } }],
    };
    return { 'pod-spec-patch': JSON.stringify(patch), 'cached-decision': 'false', condition: 'true' };
  }
  return undefined;
}

export function kfpWorkflow(p: KfpWorkflowProps): object {
  const driverArgs = (type: string, extra: string[]) => [
    '--type', type, '--pipeline_name', 'two-step', '--run_id', '{{workflow.uid}}', '--run_name', '{{workflow.name}}',
    '--dag_execution_id', '{{inputs.parameters.parent-dag-id}}', '--component', '{{inputs.parameters.component}}', ...extra,
  ];
  const driverResources = { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '64Mi' } };
  const task = (name: string, depends?: string) => [
    {
      name: `${name}-driver`, template: 'system-container-driver', ...(depends ? { depends: `${depends}.Succeeded` } : {}),
      arguments: { parameters: [
        { name: 'component', value: '{"executorLabel":"exec-' + name + '"}' },
        { name: 'task', value: '{"taskInfo":{"name":"' + name + '"}}' },
        { name: 'container', value: '{"image":"python:3.12-slim"}' },
        { name: 'parent-dag-id', value: '{{inputs.parameters.parent-dag-id}}' },
      ] },
    },
    {
      name, template: 'system-container-executor', depends: `${name}-driver.Succeeded`,
      arguments: { parameters: [
        { name: 'pod-spec-patch', value: `{{tasks.${name}-driver.outputs.parameters.pod-spec-patch}}` },
        { name: 'cached-decision', default: 'false', value: `{{tasks.${name}-driver.outputs.parameters.cached-decision}}` },
      ] },
    },
  ];
  return Workflow.manifest({
    metadata: { name: p.name, namespace: p.namespace, labels: { 'pipelines.kubeflow.org/v2_component': 'true' } },
    spec: {
      entrypoint: 'entrypoint',
      serviceAccountName: p.serviceAccount,
      podMetadata: { labels: { 'pipelines.kubeflow.org/v2_component': 'true' }, annotations: { 'pipelines.kubeflow.org/v2_component': 'true' } },
      templates: [
        {
          name: 'system-dag-driver',
          securityContext: podRestricted,
          inputs: { parameters: [{ name: 'component' }, { name: 'runtime-config', default: '' }, { name: 'task', default: '' }, { name: 'parent-dag-id', default: '0' }, { name: 'iteration-index', default: '-1' }, { name: 'driver-type', default: 'DAG' }] },
          outputs: { parameters: [
            { name: 'execution-id', valueFrom: { path: '/tmp/outputs/execution-id' } },
            { name: 'iteration-count', valueFrom: { default: '0', path: '/tmp/outputs/iteration-count' } },
            { name: 'condition', valueFrom: { default: 'true', path: '/tmp/outputs/condition' } },
          ] },
          container: {
            image: p.driverImage, command: ['driver'], resources: driverResources, securityContext: restricted,
            args: driverArgs('{{inputs.parameters.driver-type}}', ['--execution_id_path', '{{outputs.parameters.execution-id.path}}', '--condition_path', '{{outputs.parameters.condition.path}}']),
          },
        },
        {
          name: 'system-container-driver',
          securityContext: podRestricted,
          inputs: { parameters: [{ name: 'component' }, { name: 'task' }, { name: 'container' }, { name: 'parent-dag-id' }, { name: 'iteration-index', default: '-1' }, { name: 'kubernetes-config', default: '' }] },
          outputs: { parameters: [
            { name: 'pod-spec-patch', valueFrom: { default: '', path: '/tmp/outputs/pod-spec-patch' } },
            { name: 'cached-decision', default: 'false', valueFrom: { default: 'false', path: '/tmp/outputs/cached-decision' } },
            { name: 'condition', valueFrom: { default: 'true', path: '/tmp/outputs/condition' } },
          ] },
          container: {
            image: p.driverImage, command: ['driver'], resources: driverResources, securityContext: restricted,
            args: driverArgs('CONTAINER', ['--pod_spec_patch_path', '{{outputs.parameters.pod-spec-patch.path}}', '--cached_decision_path', '{{outputs.parameters.cached-decision.path}}']),
          },
        },
        {
          name: 'system-container-executor',
          inputs: { parameters: [{ name: 'pod-spec-patch' }, { name: 'cached-decision', default: 'false' }] },
          dag: { tasks: [{
            name: 'executor', template: 'system-container-impl', when: '{{inputs.parameters.cached-decision}} != true',
            arguments: { parameters: [{ name: 'pod-spec-patch', value: '{{inputs.parameters.pod-spec-patch}}' }] },
          }] },
        },
        {
          name: 'system-container-impl',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          inputs: { parameters: [{ name: 'pod-spec-patch' }] },
          podSpecPatch: '{{inputs.parameters.pod-spec-patch}}',
          initContainers: [{
            name: 'kfp-launcher', image: p.launcherImage, command: ['launcher-v2'], args: ['--copy', '/kfp-launcher/launch'],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
            volumeMounts: [{ name: 'kfp-launcher', mountPath: '/kfp-launcher' }], securityContext: restricted,
          }],
          container: {
            image: 'gcr.io/ml-pipeline/should-be-overridden-during-runtime', command: ['should-be-overridden-during-runtime'],
            envFrom: [{ configMapRef: { name: 'metadata-grpc-configmap', optional: true } }],
            env: [{ name: 'KFP_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'KFP_POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }],
            volumeMounts: [{ name: 'kfp-launcher', mountPath: '/kfp-launcher' }, { name: 'dot-local-scratch', mountPath: '/.local' }, { name: 'dot-cache-scratch', mountPath: '/.cache' }],
            securityContext: userContainer,
          },
          volumes: [{ name: 'kfp-launcher', emptyDir: {} }, { name: 'dot-local-scratch', emptyDir: {} }, { name: 'dot-cache-scratch', emptyDir: {} }],
        },
        {
          name: 'root',
          inputs: { parameters: [{ name: 'parent-dag-id' }] },
          dag: { tasks: [...task('make-numbers'), ...task('total-on-gpu', 'make-numbers')] },
        },
        {
          name: 'entrypoint',
          dag: { tasks: [
            { name: 'root-driver', template: 'system-dag-driver', arguments: { parameters: [{ name: 'component', value: '{"dag":{}}' }, { name: 'runtime-config', value: '{}' }, { name: 'driver-type', value: 'ROOT_DAG' }] } },
            { name: 'root', template: 'root', depends: 'root-driver.Succeeded', arguments: { parameters: [{ name: 'parent-dag-id', value: '{{tasks.root-driver.outputs.parameters.execution-id}}' }] } },
          ] },
        },
      ],
    },
  });
}
