import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Config } from '../config';
import { declareConnection, IngressAllow, type MicroflowNamespace, type WorkloadPolicy } from '../platform';
import { GATEWAY } from './constants';
import { SelfSignedCertificate } from './certificate';
import { ClientHeaderFilter } from './client-headers';
import { KubeflowGateway } from './gateway';
import type { Gateway } from './handles';
import { IngressGateway } from './ingress-gateway';
import { IstioControlPlane } from './istio';
import { OpenPorts } from './open-ports';

export * from './constants';
export * from './handles';
export * from './route';
export * from './gateway';
export * from './ingress-gateway';
export * from './certificate';
export * from './client-headers';
export * from './istio';
export * from './open-ports';

/** The part of the configuration the gateway reads. */
export type GatewaySettings = Pick<Config, 'gateway' | 'domain'>;

export interface GatewayChartProps {
  /** The gateway's ports, TLS and replicas, and the host name users reach it on. */
  readonly config: GatewaySettings;
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
  public readonly istio: IstioControlPlane;

  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id);
    const { config, policy } = props;
    const namespace = props.istioNamespace.name;
    let gateway: KubeflowGateway | undefined;
    this.istio = new IstioControlPlane(this, 'Istio', { namespace, policy, extensionProviders: () => gateway?.extensionProviders ?? [] });
    this.ingress = new IngressGateway(this, 'Ingress', { namespace, policy, config: config.gateway });
    if (config.gateway.tls.selfSigned) {
      new SelfSignedCertificate(this, 'Certificate', { namespace, secretName: config.gateway.tls.secretName, domain: config.domain, policy });
    }
    // The Gateway refuses extension providers that would copy one of these headers upstream.
    const clientHeaders = new ClientHeaderFilter(this, 'ClientHeaders', { name: GATEWAY.clientHeaderFilter, workload: this.ingress.pods });
    this.gateway = gateway = new KubeflowGateway(this, 'Gateway', {
      namespace: props.kubeflowNamespace.name,
      workload: this.ingress.pods,
      config: config.gateway,
      domain: config.domain,
      removedRequestHeaders: clientHeaders.headers,
    });

    // Who may connect to what in istio-system (which denies ingress by default).
    const xds = this.istio.service.port('https-dns');
    new IngressAllow(this, 'IstiodFromGateway', {
      name: 'istiod-from-gateway', pods: this.istio.pods, ports: [xds.targetPort],
      from: [{ podLabels: this.ingress.pods.selector }],
    });
    declareConnection(this, { from: this.ingress.pods, to: this.istio.service, port: xds.name });
    new OpenPorts(this, 'IstiodWebhook', {
      name: 'istiod-webhook', pods: this.istio.pods, ports: [this.istio.service.port('https-webhook').targetPort],
      reason: 'the API server calls the validating webhook from the node, not from a pod',
    });
    new OpenPorts(this, 'GatewayPublic', {
      name: 'istio-ingressgateway-public', pods: this.ingress.pods,
      ports: [GATEWAY.ports.http.name, GATEWAY.ports.https.name],
      reason: 'browsers and SDK clients reach the gateway from outside the cluster (node port or load balancer)',
    });
  }
}
