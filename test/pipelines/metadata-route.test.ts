/**
 * ML Metadata through the gateway (issue #18, path 6), on every variant's render: the methods the
 * Pipelines 2.17.0 UI calls reach the UI (which proxies `/ml_metadata.*` to MLMD's Envoy) and pass
 * every gateway DENY policy; every write method, and any other `/ml_metadata…` path, is refused by
 * the read-only DENY policy and routed nowhere near the UI. The evaluator reads the rendered
 * VirtualServices and AuthorizationPolicies as Envoy matches them after it normalised the path.
 */
import { GATEWAY } from '../../lib/gateway';
import { KFP, METADATA_ROUTE } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { find, VARIANTS, variantObjects, type K8sObject } from '../support/stack';

/**
 * Every MetadataStoreService method the 2.17.0 UI calls (frontend/src, outside tests and generated
 * code: `metadataStoreService.<method>(`), as gRPC-web paths. The UI server's own ownership check
 * (GetArtifactsByURI, GetContextsByArtifact) calls MLMD's Envoy directly, not through the gateway.
 */
const UI_METHODS = [
  'GetArtifactTypes', 'GetArtifactTypesByID', 'GetArtifacts', 'GetArtifactsByContext', 'GetArtifactsByID',
  'GetContextByTypeAndName', 'GetContextType', 'GetContextsByExecution', 'GetEventsByArtifactIDs',
  'GetEventsByExecutionIDs', 'GetExecutionTypes', 'GetExecutionTypesByID', 'GetExecutions',
  'GetExecutionsByContext', 'GetExecutionsByID',
];
/** Every write of MLMD 1.14's MetadataStoreService (the UI's generated grpc-web client). */
const WRITE_METHODS = [
  'PutArtifactType', 'PutArtifacts', 'PutAttributionsAndAssociations', 'PutContextType', 'PutContexts',
  'PutEvents', 'PutExecution', 'PutExecutionType', 'PutExecutions', 'PutLineageSubgraph', 'PutParentContexts', 'PutTypes',
];
const SERVICE = '/ml_metadata.MetadataStoreService/';
/** Other spellings that must not reach MLMD either. */
const ODD_PATHS = ['/ml_metadata', '/ml_metadata.MetadataStoreService/', '/ml_metadata.MetadataStoreService/getArtifacts', '/ml_metadata.OtherService/GetThings', '/ml_metadataX/GetArtifacts'];

/** Istio path matching: exact, `prefix*`, `*suffix`, `*`. */
const pathMatches = (pattern: string, path: string) =>
  pattern === '*' || (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern.startsWith('*') ? path.endsWith(pattern.slice(1)) : path === pattern);

describe.each(VARIANTS)('%s', (variant) => {
  const gatewayRef = `${NAMESPACES.kubeflow}/${GATEWAY.name}`;
  let objects: K8sObject[], routes: { prefix: string; host: string }[], denies: K8sObject[];
  // In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
  beforeEach(() => {
    objects = variantObjects(variant);
    routes = objects.filter((o) => o.kind === 'VirtualService' && (o as any).spec.gateways.includes(gatewayRef))
      .flatMap((vs: any) => vs.spec.http.flatMap((h: any) => h.match.map((m: any) => ({ prefix: m.uri.prefix as string, host: h.route[0].destination.host as string }))));
    denies = objects.filter((o) => o.kind === 'AuthorizationPolicy' && (o as any).spec.action === 'DENY' && o.metadata.namespace === NAMESPACES.istio) as K8sObject[];
  });
  const uiHost = `${KFP.ui}.${NAMESPACES.kubeflow}.svc.cluster.local`;

  /** Where the gateway sends a path: Istio puts the catch-all "/" last; no two other prefixes may both match. */
  function destination(path: string): string {
    const hits = routes.filter((r) => r.prefix !== '/' && path.startsWith(r.prefix));
    expect({ path, ambiguous: hits.length > 1 }).toEqual({ path, ambiguous: false });
    return (hits[0] ?? routes.find((r) => r.prefix === '/'))?.host ?? 'no route';
  }
  /** The DENY policies refusing a request by a logged-in user on the HTTP port, whoever they are. */
  const deniedBy = (path: string) => denies.filter((p: any) => p.spec.rules.some((r: any) => !r.when && !r.from && (r.to ?? [{}]).some((t: any) => {
    const op = t.operation ?? {};
    return (!op.ports || op.ports.includes(String(GATEWAY.ports.http.containerPort)))
      && (!op.paths || op.paths.some((x: string) => pathMatches(x, path)))
      && !(op.notPaths ?? []).some((x: string) => pathMatches(x, path));
  }))).map((p) => p.metadata.name);

  test('every MLMD method the UI calls goes to the UI and no DENY policy refuses it', () => {
    const got = UI_METHODS.map((m) => ({ m, to: destination(`${SERVICE}${m}`), deniedBy: deniedBy(`${SERVICE}${m}`) }));
    expect(got).toEqual(UI_METHODS.map((m) => ({ m, to: uiHost, deniedBy: [] })));
  });

  test('every MLMD write, and every other /ml_metadata path, is refused at the gateway and not routed to the UI', () => {
    const paths = [...WRITE_METHODS.map((m) => `${SERVICE}${m}`), ...ODD_PATHS];
    const got = paths.map((path) => ({ path, toUi: destination(path) === uiHost, deniedBy: deniedBy(path) }));
    expect(got).toEqual(paths.map((path) => ({ path, toUi: false, deniedBy: [METADATA_ROUTE.policy] })));
  });

  test('the read-only policy touches nothing outside /ml_metadata: the UI, its API and the landing page still pass', () => {
    for (const path of ['/pipeline/', '/pipeline/apis/v2beta1/runs', '/', '/ml-metadata/GetArtifacts']) {
      expect({ path, deniedBy: deniedBy(path).filter((n) => n === METADATA_ROUTE.policy) }).toEqual({ path, deniedBy: [] });
    }
  });

  test('the policy selects the ingress gateway\'s pods and names its HTTP ports (no blanket TCP deny)', () => {
    const p = find(objects, 'AuthorizationPolicy', METADATA_ROUTE.policy, NAMESPACES.istio) as any;
    const gatewayPods = find(objects, 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.metadata.labels;
    expect(Object.entries(p.spec.selector.matchLabels).every(([k, v]) => gatewayPods[k] === v)).toBe(true);
    expect(p.spec.rules[0].to[0].operation.ports).toEqual([GATEWAY.ports.http.containerPort, GATEWAY.ports.https.containerPort].map(String));
  });
});
