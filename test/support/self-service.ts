/**
 * The self-service TensorBoard recipe (examples/tensorboard-self-service.yaml), as the README shows it
 * and users apply it: unit tests check it against the slot microflow renders, the control-plane suite
 * applies it as each user.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { ROOT, type K8sObject } from './stack';

export const SELF_SERVICE_RECIPE = path.join(ROOT, 'examples', 'tensorboard-self-service.yaml');
/** The claim the recipe reads as written (the laptop example's notebook workspace); users replace it. */
export const RECIPE_CLAIM = 'scratch-workspace';

/** The recipe's Deployment; with `namespace`, as `kubectl apply -n <namespace>` stores it. */
export function selfServiceRecipe(namespace?: string, claim = RECIPE_CLAIM): K8sObject {
  const d = yaml.load(fs.readFileSync(SELF_SERVICE_RECIPE, 'utf8')) as K8sObject;
  const logs = d.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim);
  logs.persistentVolumeClaim.claimName = claim;
  return namespace ? { ...d, metadata: { ...d.metadata, namespace } } : d;
}

/** The recipe's text with the claim replaced, the one edit the README asks for. */
export function selfServiceRecipeText(claim: string): string {
  const text = fs.readFileSync(SELF_SERVICE_RECIPE, 'utf8');
  const line = `claimName: ${RECIPE_CLAIM}\n`;
  if (text.split(line).length !== 2) throw new Error(`${SELF_SERVICE_RECIPE}: expected exactly one "${line.trim()}"`);
  return text.replace(line, `claimName: ${claim}\n`);
}
