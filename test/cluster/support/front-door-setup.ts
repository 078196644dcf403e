/**
 * Starts the whole front door for test/cluster/front-door.test.ts (its header lists what runs and
 * every substitution): the stack applied with the harness's issuer, the two Jobs' scripts, then
 * inside a private network namespace the echo backends, the JWKS relay, Dex, oauth2-proxy, istiod
 * and the gateway, in the order a cluster converges to (istiod reads the JWKS of Dex and the relay
 * when it first pushes the gateway's configuration).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEX, OAUTH2_PROXY } from '../../../lib/auth';
import type { Manifest } from '../../../lib/deploy';
import { GATEWAY, ISTIOD } from '../../../lib/gateway';
import { resolveUsers } from '../../../lib/users';
import { exampleConfig } from '../../support/stack';
import { Client } from './front-door-client';
import { find, pointServiceAt, runCertificateJob, SLICE_MANAGER, startGateway, startIstiod, startJwksRelay } from './front-door';
import { frontDoorBackends, type Backends } from './front-door-backends';
import { runLoginSecretsJob, startDex, startOAuth2Proxy } from './front-door-login';
import { applyObjects, k, requireCluster, waitFor } from './kube';
import { controllerNotebookRoute, FIXTURE_LABEL } from './notebook-controller';
import { GATEWAY_ADDRESS, Netns, POD_ADDRESS } from './netns';
import { applyStack, profileUnderTest, type AppliedStack } from './stack';

export interface FrontDoor {
  readonly s: AppliedStack;
  /** The gateway's network namespace (where the client's requests start) and everything else's. */
  readonly gw: Netns;
  readonly ns: Netns;
  readonly dir: string;
  readonly backends: Backends;
  readonly client: Client;
  /** The certificate file the Job made (and stored in the Secret). */
  readonly certificate: string;
  /**
   * Restarts Dex with its rendered config changed by `edit` (its keys live in the API server, so
   * tokens and istiod's copy of its JWKS stay valid).
   */
  restartDex(edit: (config: string) => string): Promise<void>;
  stop(): Promise<void>;
}

/** alice's notebook, routed as the notebook controller routes one (`/notebook/<ns>/nb/`). */
export const NOTEBOOK_NAME = 'nb';
/**
 * bob's notebook, whose Notebook carries the header-forging annotation (issue #18, path 2): the
 * controller's route sets `kubeflow-userid` to alice's email on the way to it.
 */
export const FORGING_NOTEBOOK = 'forge';

/** The address the service-account issuer's discovery is dialled on inside (its name resolves here). */
const API_ISSUER_ADDRESS = '127.0.0.3';

export async function startFrontDoor(): Promise<FrontDoor> {
  requireCluster();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-front-door-'));
  const ns = new Netns(dir, 'pods');
  const gw = new Netns(dir, 'gateway');
  const stop = async () => {
    await gw.stop();
    await ns.stop();
    // The next file on this cluster must not find Services pointing at echo servers that are gone, or
    // the notebook controller's stand-in routes: the hand-made EndpointSlices and fixtures go.
    await k(['delete', 'endpointslices', '--all-namespaces', '-l', `endpointslice.kubernetes.io/managed-by=${SLICE_MANAGER}`, '--ignore-not-found']).catch(() => undefined);
    for (const kind of ['virtualservices.networking.istio.io', 'services']) {
      await k(['delete', kind, '--all-namespaces', '-l', Object.entries(FIXTURE_LABEL).map(([l, v]) => `${l}=${v}`).join(','), '--ignore-not-found']).catch(() => undefined);
    }
    await s?.release();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  let s: AppliedStack | undefined;
  try {
    const { profile, config } = profileUnderTest();
    if (resolveUsers(config).length < 2) throw new Error(`the front door tier needs two users (bob against alice); profile ${profile} has one (run it on cluster)`);
    // The harness API server's issuer (https://kubernetes.default.svc.cluster.local), as a user sets it.
    const issuer = JSON.parse(await k(['get', '--raw', '/.well-known/openid-configuration'])).issuer as string;
    s = await applyStack(profile, exampleConfig(profile, { login: { ...config.login, serviceAccountTokens: { ...config.login.serviceAccountTokens, issuer } } }));
    if (s.applyError) throw s.applyError;
    const certificate = await runCertificateJob(dir, s.objects, s.config.gateway.tls.secretName);
    await runLoginSecretsJob(dir, s.objects);

    // The route Kubeflow's notebook controller makes for alice's running notebook `nb` (it is not
    // buildable here: support/notebook-controller.ts), applied as the controller would.
    const [aliceUser, bobUser] = resolveUsers(s.config);
    const notebook = [
      ...controllerNotebookRoute(aliceUser.namespace, NOTEBOOK_NAME, `kubeflow/${GATEWAY.name}`),
      ...controllerNotebookRoute(bobUser.namespace, FORGING_NOTEBOOK, `kubeflow/${GATEWAY.name}`, { headersRequestSet: { 'kubeflow-userid': aliceUser.email } }),
    ] as Manifest[];
    await applyObjects(notebook);

    const relay = find(s.objects, 'Service', 'cluster-jwks-proxy', 'auth');
    await ns.start({
      [`${ISTIOD.name}.istio-system.svc`]: '127.0.0.1',
      [`${relay.metadata.name}.${relay.metadata.namespace}.svc.cluster.local`]: '127.0.0.2',
      [`${DEX.name}.auth.svc.cluster.local`]: '127.0.0.1',
      [new URL(issuer).hostname]: API_ISSUER_ADDRESS,
    });
    // The gateway dials istiod by name (CA_ADDR, the discovery address); everything else by endpoint.
    await gw.start({ [`${ISTIOD.name}.istio-system.svc`]: POD_ADDRESS });
    await gw.link(ns, GATEWAY_ADDRESS, POD_ADDRESS);
    await ns.bridgeApiServer([`${API_ISSUER_ADDRESS}:${new URL(issuer).port || 443}`]);
    const backends = await frontDoorBackends(ns, dir, [...s.objects, ...notebook], { [`auth/${DEX.name}`]: DEX.port, [`${OAUTH2_PROXY.name}/${OAUTH2_PROXY.name}`]: OAUTH2_PROXY.port });
    await startJwksRelay(ns, dir, s.objects, relay.metadata.name, relay.metadata.namespace, '127.0.0.2');
    let dex = await startDex(ns, dir, s.objects);
    const restartDex = async (edit: (config: string) => string) => {
      dex.child.kill('SIGTERM');
      await waitFor('Dex to stop', async () => dex.child.exitCode !== null || dex.child.signalCode !== null, 30_000);
      dex = await startDex(ns, dir, s!.objects, edit);
    };
    await startOAuth2Proxy(ns, dir, s.objects);
    const istiod = await startIstiod(ns, dir, s.objects);
    await pointServiceAt('istio-system', GATEWAY.ingress, { [GATEWAY.ports.http.name]: GATEWAY.ports.http.containerPort, [GATEWAY.ports.https.name]: GATEWAY.ports.https.containerPort }, GATEWAY_ADDRESS);
    // MICROFLOW_FRONT_DOOR_DELETE="Kind/namespace/name ...": rendered objects deleted before the gateway
    // starts, to watch the tests fail without a rule (docs/testing.md).
    for (const ref of (process.env.MICROFLOW_FRONT_DOOR_DELETE ?? '').split(/\s+/).filter(Boolean)) {
      const [kind, namespace, name] = ref.split('/');
      await k(['delete', kind, name, '-n', namespace]);
    }
    const gateway = await startGateway(gw, dir, s.objects);
    const client = new Client(gw, dir, s.config.domain, backends, certificate);
    // Ready once Envoy has its listeners and routes: HTTP answers the redirect, HTTPS serves Dex.
    await waitFor('the gateway to serve 8080 and 8443', async () => {
      if (istiod.child.exitCode !== null || gateway.child.exitCode !== null) throw new Error(`istiod or the gateway exited:\n${ns.logs()}\n${gw.logs()}`);
      // Envoy refusing istiod's configuration (an extension it lacks) never heals: say so at once.
      if (/config for \S+ rejected/.test(gateway.log())) throw new Error(`Envoy rejected istiod's configuration:\n${gw.logs()}`);
      const http = await client.request('http', '/');
      const https = await client.request('https', `${DEX.pathPrefix}.well-known/openid-configuration`);
      return http.status === 301 && https.status === 200;
    }, 300_000, async () => `${ns.logs()}\n${gw.logs()}`);
    return { s, gw, ns, dir, backends, client, certificate, restartDex, stop };
  } catch (e) {
    // The programs' logs say why (a timeout's message has them already).
    const logs = `${ns.logs()}\n${gw.logs()}`;
    await stop();
    throw /timed out/.test(String(e)) ? e : new Error(`${e instanceof Error ? e.stack : e}\n${logs}`);
  }
}
