import * as path from 'path';
import type { Config } from '../config';
import { PART_OF } from '../platform/names';
import type { GitopsComponent } from './components';

/** Namespace Flux runs in (`flux bootstrap`'s default). */
export const FLUX_NAMESPACE = 'flux-system';

type Gitops = NonNullable<Config['gitops']>;

const name = (component: string) => `${PART_OF}-${component}`;

/** A full commit SHA is pinned as a commit; anything else is followed as a branch. */
const ref = (revision: string) => (/^[0-9a-f]{40}$/.test(revision) ? { commit: revision } : { branch: revision });

/**
 * Files of the Flux layout, by path under gitops/flux/: a GitRepository, one Kustomization per
 * chart (dependsOn its chart dependencies, wait: true so dependents start only once everything it
 * applied is healthy, prune), and per chart a kustomization.yaml selecting its file of dist/.
 */
export function renderFlux(components: GitopsComponent[], g: Gitops, gitopsDir: string): Record<string, object> {
  const files: Record<string, object> = {};
  files['source.yaml'] = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: PART_OF, namespace: FLUX_NAMESPACE },
    spec: { interval: '5m', url: g.repoURL, ref: ref(g.revision) },
  };
  for (const c of components) {
    const dir = path.posix.join('components', c.name);
    files[`${c.name}.yaml`] = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: name(c.name), namespace: FLUX_NAMESPACE },
      spec: {
        interval: '10m',
        retryInterval: '1m',
        timeout: '10m',
        sourceRef: { kind: 'GitRepository', name: PART_OF },
        path: `./${path.posix.join(gitopsDir, 'flux', dir)}`,
        prune: true,
        wait: true,
        ...(c.dependsOn.length ? { dependsOn: c.dependsOn.map((d) => ({ name: name(d) })) } : {}),
      },
    };
    // kustomize resolves this from the repository root's layout: gitops/flux/components/<chart> → dist file.
    const fromDir = path.posix.join(gitopsDir, 'flux', dir);
    files[`${dir}/kustomization.yaml`] = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [path.posix.relative(fromDir, path.posix.join(g.path, c.file))],
    };
  }
  return files;
}
