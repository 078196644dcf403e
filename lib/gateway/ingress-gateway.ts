import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { GatewayConfig } from '../config';
import { CLUSTER_DOMAIN, MicroflowService, PolicyDeployment, selectorLabels, type PodSet, type ServiceHandle, type WorkloadPolicy } from '../platform';
import { GATEWAY, ISTIO_CLUSTER_ID, ISTIOD, TRUST_DOMAIN } from './constants';

export interface IngressGatewayProps {
  /** Namespace of the gateway (`istio-system`, beside istiod). */
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly config: GatewayConfig;
}

const fieldRef = (fieldPath: string): k8s.EnvVarSource => ({ fieldRef: { fieldPath } });
const resourceRef = (resource: string): k8s.EnvVarSource => ({ resourceFieldRef: { resource, divisor: k8s.Quantity.fromString('1') } });
const emptyDir = (name: string, medium?: string): k8s.Volume => ({ name, emptyDir: medium ? { medium } : {} });

/**
 * The gateway's ProxyConfig: pilot-agent reads PROXY_CONFIG and reports it to istiod, which builds
 * the gateway's HTTP connection managers from its `connectionSettings` (Istio 1.30). Envoy answers
 * 400 to a request with an underscore in a header name: on the CGI convention (WSGI servers, unless
 * they drop one) `kubeflow_userid` and `kubeflow-userid` are one variable, HTTP_KUBEFLOW_USERID, and
 * the JWT filter removes only the spelling it writes. Refused rather than dropped, so a client that sends
 * one learns why; browsers and the SDKs send none. Only this setting of Istio's EDGE profile: its
 * 5-minute stream idle and request timeouts would cut notebook websockets and long uploads.
 */
export const GATEWAY_PROXY_CONFIG = {
  connectionSettings: { httpHeadersWithUnderscoresAction: 'HEADERS_WITH_UNDERSCORES_REJECT_REQUEST' },
} as const;

/**
 * Istio's ingress gateway: Envoy (the proxyv2 image) in `router` mode, declared here in full
 * rather than through Istio's injection webhook, so it goes through the shared workload policy,
 * is admitted under Pod Security `restricted`, and starts without istiod's webhook being up.
 * The pod carries what Istio's gateway injection template (istio-discovery/files/
 * gateway-injection-template.yaml) would add: pilot-agent's arguments and environment, the SDS
 * and workload-identity volumes, the istio-ca token and istiod's root certificate.
 */
export class IngressGateway extends Construct {
  public readonly pods: PodSet;
  public readonly service: ServiceHandle;

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    const { namespace, config } = props;
    const name = GATEWAY.ingress;
    const p = GATEWAY.ports;
    const ports = [p.http, p.https, p.status, p.metrics].map((x) => ({ name: x.name, port: x.containerPort }));

    const deployment = new PolicyDeployment(this, 'Deployment', {
      name,
      namespace,
      policy: props.policy,
      replicas: config.replicas,
      // Stateless and the one way in: in the cluster profile an HPA scales it (and a budget keeps one up).
      frontDoor: true,
      // Upstream's selector labels, and a promise to the injector that this pod is never injected.
      podLabels: { ...GATEWAY.podLabels, 'sidecar.istio.io/inject': 'false' },
      pod: {
        containers: [{
          name: 'istio-proxy',
          image: 'istioProxy',
          resources: 'gateway',
          args: [
            'proxy', 'router',
            '--domain', `$(POD_NAMESPACE).svc.${CLUSTER_DOMAIN}`,
            '--proxyLogLevel=warning',
            '--proxyComponentLogLevel=misc:error',
            '--log_output_level=default:info',
          ],
          ports,
          env: [
            { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
            { name: 'CA_ADDR', value: `${ISTIOD.name}.${namespace}.svc:${ISTIOD.xdsPort}` },
            { name: 'POD_NAME', valueFrom: fieldRef('metadata.name') },
            { name: 'POD_NAMESPACE', valueFrom: fieldRef('metadata.namespace') },
            { name: 'INSTANCE_IP', valueFrom: fieldRef('status.podIP') },
            { name: 'SERVICE_ACCOUNT', valueFrom: fieldRef('spec.serviceAccountName') },
            { name: 'HOST_IP', valueFrom: fieldRef('status.hostIP') },
            { name: 'ISTIO_CPU_LIMIT', valueFrom: resourceRef('limits.cpu') },
            // Mesh defaults apply (istiod's address, tracing off) but for the listeners' settings.
            { name: 'PROXY_CONFIG', value: JSON.stringify(GATEWAY_PROXY_CONFIG) },
            { name: 'ISTIO_META_POD_PORTS', value: JSON.stringify(ports.map((x) => ({ name: x.name, containerPort: x.port, protocol: 'TCP' }))) },
            { name: 'GOMEMLIMIT', valueFrom: resourceRef('limits.memory') },
            { name: 'GOMAXPROCS', valueFrom: resourceRef('limits.cpu') },
            { name: 'ISTIO_META_APP_CONTAINERS', value: '' },
            { name: 'ISTIO_META_CLUSTER_ID', value: ISTIO_CLUSTER_ID },
            { name: 'ISTIO_META_NODE_NAME', valueFrom: fieldRef('spec.nodeName') },
            { name: 'ISTIO_META_INTERCEPTION_MODE', value: 'REDIRECT' },
            { name: 'ISTIO_META_WORKLOAD_NAME', value: name },
            { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/apps/v1/namespaces/${namespace}/deployments/${name}` },
            { name: 'ISTIO_META_MESH_ID', value: TRUST_DOMAIN },
            { name: 'TRUST_DOMAIN', value: TRUST_DOMAIN },
          ],
          readiness: {
            httpGet: { path: '/healthz/ready', port: k8s.IntOrString.fromNumber(p.status.containerPort) },
            periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 4,
          },
          // pilot-agent answers as long as it runs; readiness (Envoy has its config) must not restart it.
          liveness: {
            tcpSocket: { port: k8s.IntOrString.fromNumber(p.status.containerPort) },
            initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 4,
          },
          volumeMounts: [
            { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
            { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
            { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
            { name: 'istiod-ca-cert', mountPath: '/var/run/secrets/istio' },
            { name: 'istio-data', mountPath: '/var/lib/istio/data' },
            { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
            { name: 'istio-token', mountPath: '/var/run/secrets/tokens' },
            { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
          ],
        }],
        volumes: [
          emptyDir('workload-socket'),
          emptyDir('credential-socket'),
          emptyDir('workload-certs'),
          emptyDir('istio-envoy', 'Memory'),
          emptyDir('istio-data'),
          {
            name: 'istio-podinfo',
            downwardApi: { items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
            ] },
          },
          // The identity istiod checks before it signs the gateway's certificate and sends config;
          // audience istio-ca, so it is useless against the Kubernetes API.
          {
            name: 'istio-token',
            projected: { sources: [{ serviceAccountToken: { path: 'istio-token', expirationSeconds: GATEWAY.istioTokenSeconds, audience: ISTIOD.tokenAudience } }] },
          },
          { name: 'istiod-ca-cert', configMap: { name: ISTIOD.rootCertConfigMap } },
        ],
        // Replicas on different nodes where there are several (the autoscaler may add some).
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(name) } },
        }] } },
      },
    });
    this.pods = deployment.pods;

    const nodePorts = { [p.http.name]: config.nodePorts.http, [p.https.name]: config.nodePorts.https } as Record<string, number>;
    this.service = new MicroflowService(this, 'Service', {
      name,
      pods: this.pods,
      type: config.serviceType,
      // Not the status port: see GATEWAY.ports.status.
      ports: [p.http, p.https].map((x) => ({
        name: x.name, port: x.port, targetPort: x.name, ...(nodePorts[x.name] ? { nodePort: nodePorts[x.name] } : {}),
      })),
    });

    // istiod sends a gateway the certificates named by its Gateways' credentialName only if the
    // gateway's ServiceAccount may list Secrets in its namespace (a SubjectAccessReview istiod
    // makes on its behalf). The pod itself holds no API token.
    const role = new k8s.KubeRole(this, 'Role', {
      metadata: { name, namespace },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name, namespace, annotations: { [CHECKED_ON_BEHALF_ANNOTATION]: ISTIOD.name } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: deployment.serviceAccount.name, namespace }],
    });
  }
}

/**
 * On a RoleBinding: its rights are checked by the named component on the subject's behalf (a
 * SubjectAccessReview), not used by the subject's pods, which therefore hold no API token.
 */
export const CHECKED_ON_BEHALF_ANNOTATION = 'microflow.dev/rbac-checked-by';
