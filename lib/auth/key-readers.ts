import type { Construct } from 'constructs';
import { declareConnection, IngressAllow, type PodSet, type ServiceHandle } from '../platform';

/**
 * Admits istiod to a server of token keys (Dex's JWKS, the service-account JWKS relay): istiod
 * fetches every RequestAuthentication's jwksUri and hands the keys to the gateway's Envoy. The
 * connection is declared, so the whole-stack reachability check proves it.
 */
export function admitKeyReader(scope: Construct, id: string, server: ServiceHandle, port: string, istiod: PodSet): void {
  new IngressAllow(scope, id, {
    name: `${server.name}-from-istiod`,
    pods: server.pods,
    ports: [server.port(port).targetPort],
    from: [{ podLabels: istiod.selector, namespace: istiod.namespace }],
  });
  declareConnection(scope, { from: istiod, to: server, port });
}
