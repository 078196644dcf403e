import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { data, platform, type ObjectStore, type WorkloadPolicy } from 'microflow';

export interface ArtifactsReportProps {
  /** The object store to measure (a Microflow's `objectStore`). */
  readonly store: ObjectStore;
  /** The workload policy every pod goes through (a Microflow's `policy`). */
  readonly policy: WorkloadPolicy;
  /** Where the CronJob runs: the object store's namespace, whose NetworkPolicy admits labelled clients. */
  readonly namespace: string;
  /** Five-field cron schedule. @default '0 6 * * 1' (Mondays, 06:00) */
  readonly schedule?: string;
}

/**
 * A team's own chart beside microflow's: a weekly report, in the CronJob's log, of how much each
 * namespace's pipeline artifacts take in the object store. It reads the store with the platform's
 * key through the `mc` client microflow pins, and goes through the same workload policy (pinned
 * image, requests and limits, restricted security context) as every platform pod.
 */
export class ArtifactsReport extends Chart {
  constructor(scope: Construct, id: string, props: ArtifactsReportProps) {
    super(scope, id);
    const schedule = props.schedule ?? '0 6 * * 1';
    if (schedule.trim().split(/\s+/).length !== 5) throw new Error(`ArtifactsReport: schedule must have five cron fields, got ${JSON.stringify(schedule)}`);
    const { store } = props;
    new platform.PolicyCronJob(this, 'Report', {
      name: 'artifacts-report',
      namespace: props.namespace,
      policy: props.policy,
      schedule,
      // Labels the pod as a client of the store and records the connection (NetworkPolicy admits it).
      connectsTo: [store.server],
      pod: {
        containers: [
          data.mcContainer(store, 'report', `mc du --depth 2 "${data.STORE_ALIAS}/${store.buckets.artifacts}/"`, {
            resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
          }),
        ],
        volumes: [data.MC_TMP_VOLUME],
      },
    });
  }
}
