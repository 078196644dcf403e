import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MicroflowService, PolicyDeployment, type PodSet, type WorkloadPolicy } from '../platform';
import { JWKS_PROXY } from './constants';
import { admitKeyReader } from './key-readers';

export interface JwksProxyProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  /** istiod's pods, the relay's only client. */
  readonly istiod: PodSet;
}

/**
 * `kubectl proxy` limited to GET of the API server's public service-account keys, so istiod can
 * fetch them over plain HTTP for the gateway's RequestAuthentication (istiod verifies a JWKS URL's
 * TLS against public roots only, not the cluster's CA). It authenticates with its own token, which
 * Kubernetes' default `system:service-account-issuer-discovery` binding already lets read the
 * keys; its explicit binding to that role is all the RBAC it has.
 */
export class JwksProxy extends Construct {
  public readonly service: MicroflowService;
  /** The URL istiod fetches. */
  public readonly jwksUri: string;

  constructor(scope: Construct, id: string, props: JwksProxyProps) {
    super(scope, id);
    const port = k8s.IntOrString.fromString('http');
    const deployment = new PolicyDeployment(this, 'Deployment', {
      name: JWKS_PROXY.name,
      namespace: props.namespace,
      policy: props.policy,
      pod: {
        apiAccess: true,
        containers: [{
          name: 'kubectl-proxy',
          image: 'kubectl',
          resources: 'jwksProxy',
          command: ['kubectl', 'proxy'],
          args: [
            '--address=0.0.0.0',
            `--port=${JWKS_PROXY.port}`,
            '--accept-hosts=.*',
            `--accept-paths=^${JWKS_PROXY.jwksPath}$`,
            '--reject-methods=^(POST|PUT|PATCH|DELETE|CONNECT)$',
          ],
          env: [{ name: 'HOME', value: '/tmp' }],
          ports: [{ name: 'http', port: JWKS_PROXY.port }],
          readiness: { httpGet: { path: JWKS_PROXY.jwksPath, port }, periodSeconds: 10, failureThreshold: 3 },
          liveness: { tcpSocket: { port }, periodSeconds: 20, failureThreshold: 3 },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('8Mi') } }],
      },
    });
    new k8s.KubeClusterRoleBinding(this, 'Discovery', {
      metadata: { name: JWKS_PROXY.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
      subjects: [{ kind: 'ServiceAccount', name: deployment.serviceAccount.name, namespace: props.namespace }],
    });
    this.service = new MicroflowService(this, 'Service', { name: JWKS_PROXY.name, pods: deployment.pods, ports: [{ name: 'http', port: JWKS_PROXY.port, targetPort: 'http' }] });
    this.jwksUri = `http://${this.service.host}:${JWKS_PROXY.port}${JWKS_PROXY.jwksPath}`;
    admitKeyReader(this, 'Istiod', this.service, 'http', props.istiod);
  }
}
