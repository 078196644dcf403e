import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { MicroflowNamespace, WorkloadPolicy } from '../platform';
import { SelfSignedCertificate } from './certificate';
import { KubeflowGateway } from './gateway';
import type { Gateway } from './handles';
import { IngressGateway } from './ingress-gateway';

export * from './constants';
export * from './handles';
export * from './route';
export * from './gateway';
export * from './ingress-gateway';
export * from './certificate';

export interface GatewayChartProps {
  readonly config: Config;
  readonly policy: WorkloadPolicy;
  /** Where Istio and the ingress gateway run. */
  readonly istioNamespace: MicroflowNamespace;
  /** Where the `kubeflow-gateway` Gateway lives (Kubeflow's namespace). */
  readonly kubeflowNamespace: MicroflowNamespace;
}

/**
 * The platform's one way in: Istio (gateway only, no sidecars), the ingress gateway in
 * `istio-system`, its certificate, and the Gateway `kubeflow-gateway` every route attaches to.
 * Exposes the `gateway` handle; components add paths with `new Route(...)`.
 */
export class GatewayChart extends Chart {
  public static readonly COMPONENT = 'gateway';
  public readonly gateway: Gateway;
  public readonly ingress: IngressGateway;

  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id);
    const { config, policy } = props;
    const namespace = props.istioNamespace.name;
    this.ingress = new IngressGateway(this, 'Ingress', { namespace, policy, config: config.gateway });
    if (config.gateway.tls.selfSigned) {
      new SelfSignedCertificate(this, 'Certificate', { namespace, secretName: config.gateway.tls.secretName, domain: config.domain, policy });
    }
    this.gateway = new KubeflowGateway(this, 'Gateway', {
      namespace: props.kubeflowNamespace.name,
      workload: this.ingress.pods,
      config: config.gateway,
      domain: config.domain,
    });
  }
}
