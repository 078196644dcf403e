import * as path from 'path';
import type { Config } from '../config';
import { PART_OF } from '../platform/names';
import type { GitopsComponent } from './components';

/** Namespace Argo CD runs in (its install manifests' default). */
export const ARGOCD_NAMESPACE = 'argocd';
/** Sync waves are spaced so a component can later be slotted in between without renumbering. */
export const WAVE_STEP = 10;

type Gitops = NonNullable<Config['gitops']>;

/**
 * Argo CD only waits for a child Application's health between waves when Application health is
 * assessed, which Argo CD stopped doing by default (1.8); this restores it. Annotation tracking
 * keeps Argo CD off the `app.kubernetes.io/instance` label microflow sets itself.
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

const appName = (c: GitopsComponent) => `${PART_OF}-${c.name}`;

/** Files of the Argo CD app-of-apps, by path under gitops/argocd/. */
export function renderArgoCd(components: GitopsComponent[], g: Gitops, gitopsDir: string): Record<string, object> {
  const files: Record<string, object> = {};
  const syncPolicy = {
    automated: { prune: true, selfHeal: true },
    syncOptions: ['ServerSideApply=true', 'CreateNamespace=false', 'PrunePropagationPolicy=foreground'],
    retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
  };
  for (const c of components) {
    files[`apps/${c.name}.yaml`] = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: appName(c),
        namespace: ARGOCD_NAMESPACE,
        annotations: { 'argocd.argoproj.io/sync-wave': String(c.depth * WAVE_STEP), 'microflow.dev/depends-on': c.dependsOn.join(',') },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: 'default',
        source: { repoURL: g.repoURL, targetRevision: g.revision, path: g.path, directory: { include: c.file } },
        destination: { server: 'https://kubernetes.default.svc' },
        syncPolicy,
      },
    };
  }
  files['root.yaml'] = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `${PART_OF}-apps`, namespace: ARGOCD_NAMESPACE },
    spec: {
      project: 'default',
      source: { repoURL: g.repoURL, targetRevision: g.revision, path: path.posix.join(gitopsDir, 'argocd', 'apps') },
      destination: { server: 'https://kubernetes.default.svc', namespace: ARGOCD_NAMESPACE },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
  files['argocd-cm.patch.yaml'] = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    data: {
      'application.resourceTrackingMethod': 'annotation',
      'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA,
    },
  };
  return files;
}
