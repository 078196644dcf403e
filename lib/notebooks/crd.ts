import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { VendoredManifest } from '../platform';

/** Kubeflow Notebooks release whose CRD is vendored (scripts/notebooks/generate-crds.sh). */
export const NOTEBOOKS_RELEASE = 'v1.11.0';
const RELATIVE = path.join('vendor', 'kubeflow-notebooks', NOTEBOOKS_RELEASE, 'kubeflow.org_notebooks.yaml');

/** The vendored Notebook CRD (upstream's file, applied as it is), found from lib/ or its compiled build/lib/. */
export function notebookCrdFile(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, RELATIVE))) return path.join(dir, RELATIVE);
  }
  throw new Error(`cannot find ${RELATIVE} above ${__dirname}`);
}

/** The Notebook CRD (kubeflow.org, v1 storage, v1beta1, v1alpha1), included from the vendored file. */
export class NotebookCrd extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new VendoredManifest(this, 'Include', { file: notebookCrdFile() });
  }
}
