import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MicroflowNamespace } from './namespace';
import { NAMESPACES, PLATFORM_PRIORITY } from './names';

export * from './labels';
export * from './names';
export * from './namespace';
export * from './ingress-allow';
export * from './service';
export * from './connections';
export * from './workload';
export * from './vendored-manifest';
export * from './vendored-object';

/**
 * Namespaces and their baseline policies, everything else lands in these, and the platform's
 * PriorityClass, which its pods name (so it is applied first, with the CRDs: lib/deploy/phases.ts).
 */
export class PlatformChart extends Chart {
  public static readonly COMPONENT = 'platform';
  /** The namespaces, by role. */
  public readonly namespaces: Record<keyof typeof NAMESPACES, MicroflowNamespace>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const ns = (key: keyof typeof NAMESPACES, holdsData = false) => new MicroflowNamespace(this, key, { name: NAMESPACES[key], holdsData });
    // Every namespace runs restricted: microflow's images all run as non-root with no added
    // capabilities, and Istio's gateway (istio-system) runs without sidecar init containers.
    this.namespaces = {
      // MySQL's and the object store's claims and the generated Secrets live here.
      kubeflow: ns('kubeflow', true),
      // The users' generated passwords and the login's client secret live here (lib/auth).
      auth: ns('auth', true),
      // oauth2-proxy's copy of the client secret and its cookie secret.
      oauth2Proxy: ns('oauth2Proxy', true),
      istio: ns('istio'),
    };
    new k8s.KubePriorityClass(this, 'Priority', {
      metadata: { name: PLATFORM_PRIORITY.name },
      value: PLATFORM_PRIORITY.value,
      globalDefault: false,
      // On one full node a platform pod that cannot start (MySQL after a reboot, the gateway)
      // takes its place from users' pods, which their controllers recreate once there is room.
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'microflow platform pods: scheduled before, and evicted after, users\' pods',
    });
  }
}
export * from './network-policies';
