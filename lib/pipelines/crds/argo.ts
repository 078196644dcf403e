import { Construct } from 'constructs';
import { VendoredManifest } from '../../platform';
import { repoFile } from './vendored';

/** The vendored CRD file: Argo Workflows' own, copied by scripts/pipelines/vendor-argo.sh. */
export const ARGO_CRDS_FILE = repoFile('vendor', 'argo-workflows', 'crds.yaml');

/**
 * Argo Workflows' CRDs as the pinned release ships them (never re-declared here): the deploy
 * command applies them first and waits until they are Established.
 */
export class ArgoCrds extends Construct {
  /** metadata.name of every CRD included. */
  public readonly names: string[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const included = new VendoredManifest(this, 'Crds', { file: ARGO_CRDS_FILE });
    this.names = included.apiObjects.map((o) => o.name);
    if (this.names.length === 0) throw new Error(`${ARGO_CRDS_FILE} holds no CRDs: run scripts/pipelines/vendor-argo.sh`);
  }
}
