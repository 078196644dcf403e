/**
 * KFP 2.17.0's TaskService authorizes nobody (docs/security.md, path 4), so microflow runs with step
 * caching off (its only legitimate caller, the driver/launcher cache client, then never dials it).
 * Here, in every rendered variant: the API server's switch is a literal no configuration reaches.
 */
import { KFP } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { find, VARIANTS, variantObjects } from '../support/stack';

const apiContainer = (variant: string) =>
  (find(variantObjects(variant), 'Deployment', KFP.apiDeployment, NAMESPACES.kubeflow) as any).spec.template.spec.containers[0];

test.each(VARIANTS.map((v) => [v]))('%s: the API server runs with step caching off, as a literal', (variant) => {
  const c = apiContainer(variant);
  // 2.17.0 reads env CACHEENABLED (viper, over the image's config.json "CacheEnabled": "true").
  // Kubernetes keeps the last of duplicate names: exactly one, no reference a ConfigMap edit could change.
  expect(c.env.filter((e: any) => e.name.toUpperCase() === 'CACHEENABLED')).toEqual([{ name: 'CACHEENABLED', value: 'false' }]);
  expect(c.envFrom).toBeUndefined();
  const installConfig = find(variantObjects(variant), 'ConfigMap', KFP.installConfig, NAMESPACES.kubeflow) as any;
  expect(Object.keys(installConfig.data).filter((k) => /cache/i.test(k))).toEqual([]);
});
