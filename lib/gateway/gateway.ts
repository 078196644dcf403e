import { Construct } from 'constructs';
import { Gateway as IstioGateway, GatewaySpecServersTlsMode } from '../../imports/networking.istio.io';
import type { GatewayConfig } from '../config';
import { declareConnection, IngressAllow, type PodSet } from '../platform';
import { GATEWAY } from './constants';
import type { ExtAuthzProvider, Gateway } from './handles';

export interface KubeflowGatewayProps {
  /** Namespace of the Istio Gateway object (`kubeflow`, where Kubeflow's apps look for it). */
  readonly namespace: string;
  /** The ingress gateway's pods the Gateway configures. */
  readonly workload: PodSet;
  readonly config: GatewayConfig;
  /** Host name users reach the platform on. */
  readonly domain: string;
  /**
   * Request headers the gateway removes before routing (ClientHeaderFilter): an extension provider
   * may not copy one of these upstream, as the removal would silently drop it. @default - none
   */
  readonly removedRequestHeaders?: readonly string[];
}

/**
 * The URLs users reach the platform on (scheme://host[:port], HTTPS first), from the gateway's
 * configuration: the node ports with a NodePort Service, 80/443 of the load balancer otherwise.
 * Without `httpsRedirect` plain HTTP is a way in too. Exported so that a component built before
 * the gateway (MinIO's console URL) derives them from the same rule.
 */
export function gatewayExternalUrls(config: GatewayConfig, domain: string): readonly string[] {
  const url = (scheme: string, nodePort: number) =>
    config.serviceType === 'NodePort' ? `${scheme}://${domain}:${nodePort}` : `${scheme}://${domain}`;
  const https = url('https', config.nodePorts.https);
  return config.httpsRedirect ? [https] : [https, url('http', config.nodePorts.http)];
}

/**
 * The Istio Gateway `kubeflow-gateway`: HTTP on 80 and HTTPS on 443 (certificate from the TLS
 * Secret), any host, on the ingress gateway's pods. Implements the `Gateway` handle routes and
 * the login take.
 */
export class KubeflowGateway extends Construct implements Gateway {
  public readonly name = GATEWAY.name;
  public readonly namespace: string;
  public readonly workload: PodSet;
  public readonly externalUrls: readonly string[];
  /** Extension providers added so far; istiod's mesh config lists them. */
  public readonly extensionProviders: ExtAuthzProvider[] = [];
  private readonly removedRequestHeaders: readonly string[];

  constructor(scope: Construct, id: string, props: KubeflowGatewayProps) {
    super(scope, id);
    const { config } = props;
    this.namespace = props.namespace;
    this.workload = props.workload;
    this.externalUrls = gatewayExternalUrls(config, props.domain);
    this.removedRequestHeaders = props.removedRequestHeaders ?? [];

    const hosts = ['*'];
    new IstioGateway(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        selector: { istio: GATEWAY.podLabels.istio },
        servers: [
          {
            port: { number: GATEWAY.ports.http.port, name: 'http', protocol: 'HTTP' },
            hosts,
            ...(config.httpsRedirect ? { tls: { httpsRedirect: true } } : {}),
          },
          {
            port: { number: GATEWAY.ports.https.port, name: 'https', protocol: 'HTTPS' },
            hosts,
            tls: { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: config.tls.secretName },
          },
        ],
      },
    });
  }

  public addExtensionProvider(provider: ExtAuthzProvider): void {
    if (this.extensionProviders.some((p) => p.name === provider.name)) {
      throw new Error(`extension provider "${provider.name}" is already defined`);
    }
    const port = provider.service.port(provider.port); // a missing port fails here, at synth time
    const removed = (provider.headersToUpstreamOnAllow ?? []).filter((h) => this.removedRequestHeaders.includes(h.toLowerCase()));
    if (removed.length) {
      throw new Error(`extension provider "${provider.name}": the gateway removes ${removed.join(', ')} from every request before routing, so copying it upstream (headersToUpstreamOnAllow) would not reach the app`);
    }
    this.extensionProviders.push(provider);
    new IngressAllow(this, `ExtAuthz-${provider.name}`, {
      name: `${provider.service.name}-from-gateway`,
      pods: provider.service.pods,
      ports: [port.targetPort],
      from: [{ podLabels: this.workload.selector, namespace: this.workload.namespace }],
    });
    declareConnection(this, { from: this.workload, to: provider.service, port: provider.port });
  }
}
