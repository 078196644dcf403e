import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { configHashAnnotation, MicroflowService, PolicyDeployment, type ServiceHandle, type WorkloadPolicy } from '../platform';
import { TENSORBOARD_SELF_SERVICE } from './constants';
import type { TensorBoardSlot } from './tensorboard-slot';

/** One link on the landing page. */
export interface LandingLink {
  readonly title: string;
  /** Path on the gateway; `{namespace}` is replaced with the signed-in user's namespace. */
  readonly href: string;
  readonly description: string;
}

/** A user the page knows: their email (as the gateway's user header carries it) and namespace. */
export interface LandingUser {
  readonly email: string;
  readonly namespace: string;
  /** The user's TensorBoards: title and path. */
  readonly tensorboards: readonly { readonly name: string; readonly path: string }[];
  /** Their namespace's self-service TensorBoard slot (docs/notebooks.md, "TensorBoards"): its path is linked. */
  readonly tensorboardSlot: Pick<TensorBoardSlot, 'path'>;
}

export interface LandingPageProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  /** The header the gateway puts the signed-in user's email in (`kubeflow-userid`). */
  readonly userIdHeader: string;
  readonly links: readonly LandingLink[];
  readonly users: readonly LandingUser[];
  /** Shown in the page title. */
  readonly domain: string;
}

const HTTP = { name: 'http', port: 8080 };
const HTML_DIR = '/usr/share/nginx/html';
export const LANDING_FILES = { html: 'index.html', nginx: 'default.conf' } as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** nginx variable name of a request header. */
const headerVar = (header: string) => `http_${header.toLowerCase().replace(/-/g, '_')}`;
const NS_VAR = 'microflow_namespace';
/** What the self-service slot's link serves, and where the user finds how to start it. */
export const SLOT_DESCRIPTION = 'serves the TensorBoard you start yourself: apply examples/tensorboard-self-service.yaml in your namespace (docs/notebooks.md, "TensorBoards"); until then it answers 503';
const nsEcho = `<!--# echo var="${NS_VAR}" default="" -->`;

/**
 * The nginx server block: the email → namespace map rendered from the configuration, SSI on so the
 * page shows who is signed in and their namespace, `/healthz` for the probes. Server-side includes
 * echo values HTML-escaped (nginx's default `encoding="entity"`).
 */
export function landingNginxConfig(props: Pick<LandingPageProps, 'userIdHeader' | 'users'>): string {
  const quote = (s: string) => `"${s.replace(/["\\$]/g, '')}"`;
  return [
    `map $${headerVar(props.userIdHeader)} $${NS_VAR} {`,
    '  default "";',
    ...props.users.map((u) => `  ${quote(u.email)} ${quote(u.namespace)};`),
    '}',
    'server {',
    `  listen ${HTTP.port};`,
    `  root ${HTML_DIR};`,
    '  ssi on;',
    '  server_tokens off;',
    '  add_header Cache-Control "no-store" always;',
    '  add_header X-Content-Type-Options "nosniff" always;',
    '  location = /healthz { access_log off; default_type text/plain; return 200 "ok\\n"; }',
    '  location = / { try_files /index.html =404; }',
    '  location / { try_files $uri =404; }',
    '}',
    '',
  ].join('\n');
}

/** The page itself: links, the signed-in user and their namespace, their TensorBoards and their self-service slot. */
export function landingHtml(props: Pick<LandingPageProps, 'userIdHeader' | 'links' | 'users' | 'domain'>): string {
  const link = (l: LandingLink) =>
    `      <li><a href="${escapeHtml(l.href).replace('{namespace}', nsEcho)}">${escapeHtml(l.title)}</a><span>${escapeHtml(l.description)}</span></li>`;
  // Each user's block holds their declared TensorBoards and their own slot; a user with no namespace
  // matches no block, so they see neither.
  const boards = props.users.map((u) => [
    `    <!--# if expr="$${NS_VAR} = ${u.namespace}" -->`,
    ...(u.tensorboards.length ? [] : ['    <p class="muted">No TensorBoard is declared for this namespace in the configuration; start your own in the self-service slot.</p>']),
    '    <ul class="boards">',
    ...u.tensorboards.map((t) => `      <li><a href="${escapeHtml(t.path)}">${escapeHtml(t.name)}</a></li>`),
    `      <li><a href="${escapeHtml(u.tensorboardSlot.path)}">${escapeHtml(TENSORBOARD_SELF_SERVICE.slot)}</a><span>${escapeHtml(SLOT_DESCRIPTION)}</span></li>`,
    '    </ul>',
    '    <!--# endif -->',
  ].join('\n'));
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>microflow · ${escapeHtml(props.domain)}</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 0; color: #1d2733; background: #f4f6f8; }
    header { background: #1d3557; color: #fff; padding: 1.2rem 2rem; }
    header h1 { margin: 0; font-size: 1.6rem; }
    header p { margin: .3rem 0 0; opacity: .85; }
    main { max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
    section { background: #fff; border-radius: 8px; padding: 1rem 1.5rem; margin-bottom: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
    ul { list-style: none; padding: 0; margin: 0; }
    ul.apps li, ul.boards li { display: flex; gap: 1rem; align-items: baseline; padding: .55rem 0; border-bottom: 1px solid #e6e9ec; }
    ul.apps li:last-child, ul.boards li:last-child { border-bottom: 0; }
    a { color: #1565c0; font-weight: 600; min-width: 11rem; }
    span, .muted { color: #5c6b7a; }
    code { background: #e8edf2; padding: .1rem .35rem; border-radius: 4px; }
    header code { background: rgba(255,255,255,.18); color: #fff; font-weight: 600; }
  </style>
</head>
<body>
  <header>
    <h1>microflow</h1>
    <p>Signed in as <strong id="user"><!--# echo var="${headerVar(props.userIdHeader)}" default="(unknown user)" --></strong>
      · namespace <code id="namespace"><!--# if expr="$${NS_VAR}" -->${nsEcho}<!--# else -->none (ask the administrator to add you to users)<!--# endif --></code></p>
  </header>
  <main>
    <section>
      <h2>Applications</h2>
      <ul class="apps">
${props.links.map(link).join('\n')}
      </ul>
    </section>
    <section id="tensorboards">
      <h2>Your TensorBoards</h2>
${boards.join('\n')}
    </section>
  </main>
</body>
</html>
`;
}

/**
 * The landing page at `/`: a static page rendered at synth time, served by unprivileged nginx through
 * the workload policy. It links Notebooks, Pipelines, TensorBoards and the object-store console and
 * shows the signed-in user's namespace (nginx maps the gateway's user header to it).
 */
export class LandingPage extends Construct {
  public readonly service: ServiceHandle;
  public readonly port = 'http-web';

  constructor(scope: Construct, id: string, props: LandingPageProps) {
    super(scope, id);
    const name = 'landing-page';
    const data = { [LANDING_FILES.html]: landingHtml(props), [LANDING_FILES.nginx]: landingNginxConfig(props) };
    const configMap = new k8s.KubeConfigMap(this, 'Content', { metadata: { name, namespace: props.namespace }, data });
    const probe = { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString(HTTP.name) } };
    const deployment = new PolicyDeployment(this, 'Deployment', {
      name,
      namespace: props.namespace,
      policy: props.policy,
      // Both files are subPath mounts, which running pods never see change (and nginx reads its
      // configuration once): a new user or TensorBoard must roll the pods.
      podAnnotations: configHashAnnotation(data[LANDING_FILES.html], data[LANDING_FILES.nginx]),
      pod: {
        containers: [{
          name: 'nginx',
          image: 'webServer',
          resources: 'landingPage',
          ports: [HTTP],
          readiness: { ...probe, periodSeconds: 10 },
          liveness: { ...probe, periodSeconds: 20 },
          volumeMounts: [
            { name: 'content', mountPath: `${HTML_DIR}/${LANDING_FILES.html}`, subPath: LANDING_FILES.html, readOnly: true },
            { name: 'content', mountPath: `/etc/nginx/conf.d/${LANDING_FILES.nginx}`, subPath: LANDING_FILES.nginx, readOnly: true },
            // The unprivileged image keeps its pid file and temp files in /tmp.
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'content', configMap: { name: configMap.name } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
        ],
      },
    });
    this.service = new MicroflowService(this, 'Service', {
      name,
      pods: deployment.pods,
      ports: [{ name: this.port, port: 80, targetPort: HTTP.name }],
    });
  }
}
