import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { secretEnv, type Database, type ObjectStore } from '../data';
import { CLUSTER_DOMAIN, MicroflowService, PolicyDeployment, type Endpoint, type WorkloadPolicy } from '../platform';
import { Grant, type AccessCheck, type CanI, type Rule } from './access';
import { ARGO, IDENTITY_HEADERS, KFP } from './constants';
import { PipelineApiService } from './api-service';
import type { InstallConfig } from './install-config';

export interface ApiServerProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly database: Database;
  readonly store: ObjectStore;
  readonly installConfig: InstallConfig;
  /** Namespaces runs happen in (where it creates Workflows and ScheduledWorkflows). */
  readonly runNamespaces: string[];
  /** Where the driver and launcher find ML Metadata (written into every compiled Workflow). */
  readonly metadata: { host: string; port: number };
}

/** What the API server does wherever runs happen (upstream ml-pipeline Role, minus Tekton). */
const RUN_RULES: Rule[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'delete'] },
  { apiGroups: [ARGO.group], resources: ['workflows'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
  { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows'], verbs: ['create', 'get', 'list', 'update', 'patch', 'delete'] },
  { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows/finalizers'], verbs: ['update'] },
];
/**
 * KFP's step caching: off, and no configuration key turns it on (docs/security.md, path 4). The
 * cache lives in the API server's TaskService, which 2.17.0 lets anyone call
 * (backend/src/apiserver/server/task_server.go: CreateTaskV1/ListTasksV1 check no caller), so a
 * pod of any namespace could read every run's task list or plant a task that points another
 * user's cached step at its own MLMD execution. The guard refuses the TaskService
 * (api-guard.ts, REFUSED_APIS); with caching off nothing legitimate calls it. 2.17.0 reads
 * `CacheEnabled` through viper, env CACHEENABLED over the image's /config/config.json
 * (backend/src/apiserver/main.go:225, `CacheDisabled: !common.GetBoolConfigWithDefault("CacheEnabled",
 * true)`); the compiler then gives every driver `--cache_disabled`
 * (backend/src/v2/compiler/argocompiler/container.go:218, dag.go:596, importer.go:89), the driver
 * passes it to the launcher (backend/src/v2/driver/driver.go:347), and both get the client
 * that never dials the TaskService (backend/src/v2/cacheutils/cache.go:80). A literal, not a
 * `pipeline-install-config` key: turning it back on waits for an authorized TaskService.
 */
export const STEP_CACHE_SWITCH: k8s.EnvVar = { name: 'CACHEENABLED', value: 'false' };

/** Multi-user: who is calling (TokenReview) and may they (SubjectAccessReview). */
const AUTH_RULES: Rule[] = [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

/**
 * The Pipeline API server (`ml-pipeline`'s backend): run history in MySQL, pipeline packages and
 * logs in the object store, runs as Argo Workflows. Its own Service (`ml-pipeline-apiserver`) is
 * reachable only by the identity guard and the UI; clients use `ml-pipeline` (the guard).
 */
export class ApiServer extends Construct {
  public readonly deployment: PolicyDeployment;
  public readonly service: MicroflowService;
  /** HTTP (REST, the UI's proxy) and gRPC endpoints of the API server itself. */
  public readonly http: Endpoint;
  public readonly grpc: Endpoint;
  public readonly access: AccessCheck[];

  constructor(scope: Construct, id: string, props: ApiServerProps) {
    super(scope, id);
    const { namespace, policy, database, store, installConfig: cfg } = props;
    const env: k8s.EnvVar[] = [
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'CLUSTER_DOMAIN', value: CLUSTER_DOMAIN },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'PIPELINE_LOG_LEVEL', value: '1' },
      { name: 'PUBLISH_LOGS', value: 'true' },
      cfg.env('AUTO_UPDATE_PIPELINE_DEFAULT_VERSION', 'autoUpdatePipelineDefaultVersion'),
      // Database: the relic and the MySQL spellings, both read by 2.17.0's viper config.
      cfg.env('DB_DRIVER_NAME', 'dbType'),
      secretEnv('DBCONFIG_USER', database.accounts.pipelines.credentials, 'username'),
      secretEnv('DBCONFIG_PASSWORD', database.accounts.pipelines.credentials, 'password'),
      cfg.env('DBCONFIG_DBNAME', 'pipelineDb'),
      cfg.env('DBCONFIG_HOST', 'dbHost'),
      cfg.env('DBCONFIG_PORT', 'dbPort'),
      cfg.env('DBCONFIG_CONMAXLIFETIME', 'ConMaxLifeTime'),
      secretEnv('DBCONFIG_MYSQLCONFIG_USER', database.accounts.pipelines.credentials, 'username'),
      secretEnv('DBCONFIG_MYSQLCONFIG_PASSWORD', database.accounts.pipelines.credentials, 'password'),
      cfg.env('DBCONFIG_MYSQLCONFIG_DBNAME', 'pipelineDb'),
      cfg.env('DBCONFIG_MYSQLCONFIG_HOST', 'mysqlHost'),
      cfg.env('DBCONFIG_MYSQLCONFIG_PORT', 'mysqlPort'),
      // Object store: given explicitly (service links are off), from the handle, whichever server answers.
      { name: 'OBJECTSTORECONFIG_HOST', value: store.host },
      { name: 'OBJECTSTORECONFIG_PORT', value: String(store.port) },
      { name: 'OBJECTSTORECONFIG_SECURE', value: 'false' },
      cfg.env('OBJECTSTORECONFIG_BUCKETNAME', 'bucketName'),
      secretEnv('OBJECTSTORECONFIG_ACCESSKEY', store.credentials, 'accesskey'),
      secretEnv('OBJECTSTORECONFIG_SECRETACCESSKEY', store.credentials, 'secretkey'),
      // What compiled Workflows carry: step images, ML Metadata's address, the step-pod ServiceAccount.
      { name: 'V2_DRIVER_IMAGE', value: policy.image('kfpDriver').ref },
      { name: 'V2_LAUNCHER_IMAGE', value: policy.image('kfpLauncher').ref },
      { name: 'METADATA_GRPC_SERVICE_SERVICE_HOST', value: props.metadata.host },
      { name: 'METADATA_GRPC_SERVICE_SERVICE_PORT', value: String(props.metadata.port) },
      { name: 'DEFAULTPIPELINERUNNERSERVICEACCOUNT', value: KFP.runnerServiceAccount },
      cfg.env('DEFAULT_SECURITY_CONTEXT_RUN_AS_USER', 'defaultSecurityContextRunAsUser'),
      cfg.env('DEFAULT_SECURITY_CONTEXT_RUN_AS_GROUP', 'defaultSecurityContextRunAsGroup'),
      cfg.env('DEFAULT_SECURITY_CONTEXT_RUN_AS_NON_ROOT', 'defaultSecurityContextRunAsNonRoot'),
      { name: 'MULTIUSER', value: 'true' },
      { name: 'KUBEFLOW_USERID_HEADER', value: IDENTITY_HEADERS.userId },
      { name: 'KUBEFLOW_USERID_PREFIX', value: '' },
      { name: 'KUBEFLOW_GROUPS_HEADER', value: IDENTITY_HEADERS.groups },
      STEP_CACHE_SWITCH,
    ];
    const health = { httpGet: { path: KFP.healthPath, port: k8s.IntOrString.fromString('http') }, timeoutSeconds: 5 };

    this.deployment = new PolicyDeployment(this, 'Deployment', {
      name: KFP.apiDeployment,
      namespace,
      policy,
      connectsTo: [database.server, store.server],
      pod: {
        apiAccess: true,
        containers: [{
          name: 'ml-pipeline-api-server',
          image: 'kfpApiServer',
          resources: 'pipelineApi',
          env,
          ports: [{ name: 'http', port: KFP.httpPort }, { name: 'grpc', port: KFP.grpcPort }],
          // First start migrates the database and creates the bucket: allow up to 3 minutes.
          startup: { ...health, periodSeconds: 5, failureThreshold: 36 },
          readiness: { ...health, periodSeconds: 10 },
          liveness: { ...health, periodSeconds: 20, failureThreshold: 3 },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }],
      },
    });

    const api = new PipelineApiService(this, 'Service', KFP.apiInternalService, this.deployment.pods, 'microflow.dev/pipeline-api-backend-client');
    this.service = api.service;
    this.http = api.http;
    this.grpc = api.grpc;

    const sa = { namespace, name: KFP.apiDeployment };
    new Grant(this, 'Runs', { name: 'ml-pipeline', serviceAccount: sa, rules: RUN_RULES, where: props.runNamespaces });
    new Grant(this, 'Auth', { name: 'ml-pipeline-auth', serviceAccount: sa, rules: AUTH_RULES, where: 'cluster' });

    this.access = [{
      serviceAccount: sa,
      allowed: props.runNamespaces.flatMap((ns): CanI[] => [
        { verb: 'create', resource: 'workflows.argoproj.io', namespace: ns },
        { verb: 'create', resource: 'scheduledworkflows.kubeflow.org', namespace: ns },
        { verb: 'get', resource: 'pods/log', namespace: ns },
      ]).concat([{ verb: 'create', resource: 'tokenreviews.authentication.k8s.io' }, { verb: 'create', resource: 'subjectaccessreviews.authorization.k8s.io' }]),
      denied: [
        { verb: 'get', resource: 'secrets', namespace },
        { verb: 'create', resource: 'pods', namespace },
        { verb: 'create', resource: 'workflows.argoproj.io', namespace: 'default' },
        { verb: 'create', resource: 'clusterrolebindings' },
      ],
    }];
  }
}
