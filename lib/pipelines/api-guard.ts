import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { configHashAnnotation, IngressAllow, MicroflowService, PolicyDeployment, type Endpoint, type Peer, type WorkloadPolicy } from '../platform';
import { IDENTITY_HEADERS, KFP } from './constants';
import { PipelineApiService } from './api-service';

export interface ApiGuardProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  /** The API server's own HTTP and gRPC endpoints. */
  readonly http: Endpoint;
  readonly grpc: Endpoint;
  /** Who may call `ml-pipeline` (besides pods carrying the client labels in its own namespace). */
  readonly callers: Peer[];
}

/** Where the guard's configuration is mounted. */
export const GUARD_CONFIG_DIR = '/etc/microflow/ml-pipeline-guard';
/** Answered by the guard itself (no request reaches the API server). */
export const GUARD_HEALTH_PATH = '/microflow-guard/healthz';

/**
 * APIs the guard refuses to every caller, REST and gRPC, with 403 (gRPC clients read an HTTP 403
 * as PERMISSION_DENIED). KFP 2.17.0's TaskService (backend/api/v1beta1/task.proto: REST
 * `/apis/v1alpha1/tasks`, gRPC `api.TaskService`) authorizes nobody, and its only caller, the
 * driver/launcher cache client, never dials it while step caching is off (api-server.ts,
 * STEP_CACHE_SWITCH): docs/security.md, path 4.
 * Each is a case-insensitive nginx regex on the normalised URI (percent-decoded, dot segments
 * resolved, slashes merged), a prefix of anything the API server's routers would send there:
 * gorilla/mux redirects an unclean path, grpc-gateway and grpc-go compare the raw path literally.
 */
export const REFUSED_APIS: readonly { readonly api: string; readonly location: string }[] = [
  { api: 'TaskService (REST)', location: '^/apis/v1alpha1/tasks' },
  { api: 'TaskService (gRPC)', location: '^/api\\.TaskService/' },
];
const REFUSAL = 'refused by microflow: the TaskService authorizes no caller (docs/security.md, path 4)';

/**
 * `ml-pipeline` (HTTP 8888, gRPC 8887), the address every in-cluster client uses: an nginx that
 * removes the identity headers (`kubeflow-userid`, `kubeflow-groups`) and forwards everything
 * else to the API server. Without sidecars nothing else stops a pod from claiming to be any user;
 * behind the guard the API server can only learn who calls from a service-account token
 * (TokenReview, then SubjectAccessReview in the namespace asked for). Only the ingress gateway's
 * route (through the UI) can carry an identity header, and it sets it from the verified login.
 */
export class ApiGuard extends Construct {
  public readonly deployment: PolicyDeployment;
  public readonly service: MicroflowService;
  /** The endpoints clients use: `ml-pipeline` HTTP and gRPC. */
  public readonly http: Endpoint;
  public readonly grpc: Endpoint;
  /** The rendered nginx.conf (also checked by the native test). */
  public readonly nginxConf: string;

  constructor(scope: Construct, id: string, props: ApiGuardProps) {
    super(scope, id);
    const { namespace, policy } = props;
    const name = KFP.apiGuard;
    this.nginxConf = nginxConf(props.http, props.grpc);
    const config = new k8s.KubeConfigMap(this, 'Config', { metadata: { name, namespace }, data: { 'nginx.conf': this.nginxConf } });
    const health = { httpGet: { path: GUARD_HEALTH_PATH, port: k8s.IntOrString.fromString('http') }, timeoutSeconds: 3 };

    this.deployment = new PolicyDeployment(this, 'Deployment', {
      name,
      // Stateless, behind the gateway or in front of the API server: autoscaled where the profile says.
      frontDoor: true,
      namespace,
      policy,
      connectsTo: [props.http, props.grpc],
      // nginx reads its configuration once: a changed one (e.g. a new refusal) must roll the pods.
      podAnnotations: configHashAnnotation(this.nginxConf),
      pod: {
        containers: [{
          name: 'nginx',
          image: 'nginx',
          resources: 'pipelineApiGuard',
          command: ['nginx', '-c', `${GUARD_CONFIG_DIR}/nginx.conf`, '-g', 'daemon off;'],
          ports: [{ name: 'http', port: KFP.httpPort }, { name: 'grpc', port: KFP.grpcPort }],
          readiness: { ...health, periodSeconds: 10 },
          liveness: { ...health, periodSeconds: 20 },
          volumeMounts: [
            { name: 'config', mountPath: GUARD_CONFIG_DIR, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: config.name } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        ],
      },
    });

    const api = new PipelineApiService(this, 'Service', KFP.apiService, this.deployment.pods, 'microflow.dev/pipeline-api-client');
    this.service = api.service;
    this.http = api.http;
    this.grpc = api.grpc;
    new IngressAllow(this, 'Clients', {
      name: `${KFP.apiService}-clients`,
      pods: this.deployment.pods,
      ports: ['http', 'grpc'],
      from: [{ podLabels: this.http.clientLabels }, ...props.callers],
    });
  }
}

/**
 * nginx configuration: two servers, REST and gRPC (h2c), each removing the identity headers.
 * An empty proxy_set_header/grpc_set_header value drops the header (matched case-insensitively);
 * headers spelled with underscores are dropped by nginx itself (underscores_in_headers off).
 * Both servers refuse every REFUSED_APIS path: a regex location wins over `location /`, and a
 * REST path sent to the gRPC port (or the reverse) is refused too.
 */
function nginxConf(http: Endpoint, grpc: Endpoint): string {
  const upstream = (e: Endpoint) => `${e.service.host}:${e.service.port(e.port).port}`;
  const strip = (directive: string) => Object.values(IDENTITY_HEADERS).map((h) => `      ${directive} ${h} "";`).join('\n');
  // grpc-gateway's error shape; code 7 is PERMISSION_DENIED.
  const body = JSON.stringify({ code: 7, message: REFUSAL });
  const refuse = REFUSED_APIS.map((r) => `    location ~* ${r.location} { default_type application/json; return 403 '${body}\\n'; }`).join('\n');
  return `# ml-pipeline guard: forwards to the Pipeline API server without identity headers (microflow).
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  underscores_in_headers off;
  ignore_invalid_headers on;
  # Pipeline packages are uploaded through here.
  client_max_body_size 64m;
  server {
    listen ${KFP.httpPort};
    # The refusals match the normalised URI: keep slashes merged.
    merge_slashes on;
    location = ${GUARD_HEALTH_PATH} { return 200 "ok\\n"; }
${refuse}
    location / {
      proxy_pass http://${upstream(http)};
      proxy_http_version 1.1;
${strip('proxy_set_header')}
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
  server {
    listen ${KFP.grpcPort} http2;
    merge_slashes on;
${refuse}
    location / {
      grpc_pass grpc://${upstream(grpc)};
${strip('grpc_set_header')}
      grpc_read_timeout 1h;
    }
  }
}
`;
}
