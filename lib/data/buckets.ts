import { Construct } from 'constructs';
import { PolicyJob, type WorkloadPolicy } from '../platform';
import type { ObjectStore } from './handles';
import { MC_TMP_VOLUME, mcContainer, STORE_ALIAS } from './s3-client';

export interface BucketsProps {
  readonly store: ObjectStore;
  readonly policy: WorkloadPolicy;
}

/**
 * Creates the platform's buckets once the store answers. Idempotent: buckets that exist are kept,
 * so a re-run (GitOps sync, second apply) exits 0 and changes nothing.
 */
export class Buckets extends Construct {
  public readonly job: PolicyJob;

  constructor(scope: Construct, id: string, props: BucketsProps) {
    super(scope, id);
    const { store } = props;
    const buckets = [store.buckets.artifacts, store.buckets.backups];
    this.job = new PolicyJob(this, 'Job', {
      name: 'object-store-buckets',
      namespace: store.namespace,
      policy: props.policy,
      connectsTo: [store.server],
      pod: {
        containers: [
          mcContainer(store, 'create-buckets', [
            ...buckets.map((b) => `mc mb --ignore-existing ${STORE_ALIAS}/${b}`),
            `echo "buckets ready: ${buckets.join(', ')}"`,
          ].join('\n')),
        ],
        volumes: [MC_TMP_VOLUME],
      },
    });
  }
}
