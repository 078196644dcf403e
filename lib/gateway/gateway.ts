import { Construct } from 'constructs';
import { Gateway as IstioGateway, GatewaySpecServersTlsMode, VirtualService } from '../../imports/networking.istio.io';
import { PLAIN_HTTP_WARNING, type GatewayConfig } from '../config';
import { declareConnection, DEPLOY_HINT_ANNOTATIONS, IngressAllow, type PodSet } from '../platform';
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

/** The port browsers reach HTTPS on: the node port with a NodePort Service, the load balancer's 443 otherwise. */
export function externalHttpsPort(config: GatewayConfig): number {
  return config.serviceType === 'NodePort' ? config.nodePorts.https : GATEWAY.ports.https.port;
}

/**
 * The URLs users reach the platform on (scheme://host[:port], HTTPS first), from the gateway's
 * configuration: the node ports with a NodePort Service, 80/443 of the load balancer otherwise.
 * Plain HTTP is a way in only with the `plainHttp` opt-out. Exported so that a component built
 * before the gateway (MinIO's console URL) derives them from the same rule.
 */
export function gatewayExternalUrls(config: GatewayConfig, domain: string): readonly string[] {
  const url = (scheme: string, nodePort: number) =>
    config.serviceType === 'NodePort' ? `${scheme}://${domain}:${nodePort}` : `${scheme}://${domain}`;
  const https = url('https', config.nodePorts.https);
  return config.plainHttp ? [https, url('http', config.nodePorts.http)] : [https];
}

/**
 * The Istio Gateway `kubeflow-gateway`: HTTPS on 443 (certificate from the TLS Secret), any host, on
 * the ingress gateway's pods, and HTTP on 80 only with `plainHttp`. By default port 80 belongs to
 * the Gateway `http-to-https` instead, whose one VirtualService redirects every request to HTTPS.
 * Implements the `Gateway` handle routes and the login take.
 */
export class KubeflowGateway extends Construct implements Gateway {
  public readonly name = GATEWAY.name;
  public readonly namespace: string;
  public readonly workload: PodSet;
  public readonly externalUrls: readonly string[];
  public readonly plainHttp: boolean;
  public readonly routedPorts: readonly number[];
  public readonly strictTransportSecurity?: string;
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
    this.plainHttp = config.plainHttp;
    const { http, https } = GATEWAY.ports;
    this.routedPorts = config.plainHttp ? [http.containerPort, https.containerPort] : [https.containerPort];
    if (!config.plainHttp) this.strictTransportSecurity = GATEWAY.strictTransportSecurity;

    const hosts = ['*'];
    const httpServer = { port: { number: http.port, name: 'http', protocol: 'HTTP' }, hosts };
    new IstioGateway(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        ...(config.plainHttp ? { annotations: { [DEPLOY_HINT_ANNOTATIONS.warning]: PLAIN_HTTP_WARNING } } : {}),
      },
      spec: {
        selector: { istio: GATEWAY.podLabels.istio },
        servers: [
          ...(config.plainHttp ? [httpServer] : []),
          {
            port: { number: https.port, name: 'https', protocol: 'HTTPS' },
            hosts,
            tls: { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: config.tls.secretName },
          },
        ],
      },
    });
    if (!config.plainHttp) this.redirectToHttps(config);
  }

  /**
   * Port 80 on its own Gateway in the ingress gateway's namespace, whose hosts (`./*`) admit only
   * VirtualServices of that namespace: the redirect below, never an app's route. The Gateway's own
   * `tls.httpsRedirect` cannot be used: Envoy keeps the request's Host, port included, so
   * `http://host:30080/` would go to `https://host:30080/`, TLS on the HTTP node port.
   */
  private redirectToHttps(config: GatewayConfig): void {
    const namespace = this.workload.namespace;
    const name = GATEWAY.httpsRedirect;
    new IstioGateway(this, 'HttpToHttps', {
      metadata: { name, namespace },
      spec: {
        selector: { istio: GATEWAY.podLabels.istio },
        servers: [{ port: { number: GATEWAY.ports.http.port, name: 'http', protocol: 'HTTP' }, hosts: ['./*'] }],
      },
    });
    new VirtualService(this, 'HttpToHttpsRedirect', {
      metadata: { name, namespace },
      spec: {
        hosts: ['*'],
        gateways: [`${namespace}/${name}`],
        // Same host and path, HTTPS's external port (Istio omits 443). 301: browsers remember it.
        http: [{ name, redirect: { scheme: 'https', port: externalHttpsPort(config), redirectCode: 301 } }],
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
