import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Database, ObjectStore } from '../data';
import { IDENTITY_HEADERS, KFP, KFP_VERSION } from './constants';

export interface InstallConfigProps {
  readonly namespace: string;
  readonly database: Database;
  readonly store: ObjectStore;
  /** UID step containers run as (defaultSecurityContextRunAsUser). */
  readonly stepRunAsUser: number;
}

/**
 * `pipeline-install-config`: the settings KFP's services read by key (names as in
 * manifests/kustomize/base/installs/generic/pipeline-install-config.yaml@2.17.0), filled from the
 * data handles instead of repeated literals. Only keys a deployed component reads are set.
 */
export class InstallConfig extends Construct {
  public readonly name = KFP.installConfig;
  /** Key → value, for env references (`InstallConfig.ref`) and checks. */
  public readonly data: Record<string, string>;

  constructor(scope: Construct, id: string, props: InstallConfigProps) {
    super(scope, id);
    const { database, store } = props;
    this.data = {
      appName: 'pipeline',
      appVersion: KFP_VERSION,
      dbType: 'mysql',
      dbHost: database.host,
      dbPort: String(database.port),
      mysqlHost: database.host,
      mysqlPort: String(database.port),
      pipelineDb: database.databases.pipeline,
      mlmdDb: database.databases.metadata,
      bucketName: store.buckets.artifacts,
      autoUpdatePipelineDefaultVersion: 'true',
      cronScheduleTimezone: 'UTC',
      ConMaxLifeTime: '120s',
      // Step containers run as this non-root user: user namespaces enforce Pod Security "restricted".
      defaultSecurityContextRunAsUser: String(props.stepRunAsUser),
      defaultSecurityContextRunAsGroup: String(props.stepRunAsUser),
      defaultSecurityContextRunAsNonRoot: 'true',
      USERID_HEADER: IDENTITY_HEADERS.userId,
      USERID_PREFIX: '',
    };
    new k8s.KubeConfigMap(this, 'Resource', { metadata: { name: this.name, namespace: props.namespace }, data: this.data });
  }

  /** An environment variable read from one of this ConfigMap's keys (a typo fails at synth time). */
  public env(name: string, key: string, optional = false): k8s.EnvVar {
    if (!(key in this.data)) throw new Error(`${this.name} has no key "${key}" (it has: ${Object.keys(this.data).join(', ')})`);
    return { name, valueFrom: { configMapKeyRef: { name: this.name, key, ...(optional ? { optional: true } : {}) } } };
  }
}
