/**
 * oauth2-proxy for real: the v7.15.6 binary (built from the Go module proxy, the release the image
 * pins) runs the rendered Deployment natively (test/native: its args, env, mounted ConfigMaps and
 * probes) with test values for its two generated Secrets, against a test issuer standing in for
 * Dex and the API server's service-account discovery. The test plays the ingress gateway: each
 * request is an ext-authz check carrying only the headers the rendered extension provider forwards,
 * and what the gateway would copy upstream is read from the answer.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { AUTH_SECRETS, DEX, DEX_ISSUER, LOGIN, OAUTH2_PROXY } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { CLIENT_HEADERS_REMOVED, type ExtAuthzProvider, type KubeflowGateway } from '../../lib/gateway';
import { buildStack } from '../../lib/stack';
import { resolveUsers } from '../../lib/users';
import { NativePod, renderedPod, requireNative, type RenderedObject } from '../native';
import { SigningKey, TestCluster } from './support/issuer';

const programs = requireNative('oauth2-proxy');

const config = resolveConfig({});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-login-'));
const stack = buildStack(config, dir);
stack.app.synth();
const objects = fs.readdirSync(dir).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as RenderedObject[]).filter(Boolean);
fs.rmSync(dir, { recursive: true, force: true });
const provider = (stack.gateway.gateway as KubeflowGateway).extensionProviders.find((p) => p.name === LOGIN.extAuthzProvider) as ExtAuthzProvider;
const [user] = resolveUsers(config);
const { issuer: saIssuer, audience } = config.login.serviceAccountTokens;
/** The address a user typed: the node's IP and the gateway's node port (any host works). */
const HOST = `192.168.1.10:${config.gateway.nodePorts.https}`;

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }
const cookies = (a: Answer) => (a.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('oauth2-proxy v7.15.6 with the rendered configuration', () => {
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const cluster = new TestCluster({ dexIssuer: DEX_ISSUER, clientId: DEX.clientId, clientSecret, saIssuer });
  let proxy: NativePod;
  let probes = '';

  /** An HTTP request to oauth2-proxy, as the gateway (or the browser, for /oauth2/ paths) sends it. */
  function send(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.port('http'), path: pathAndQuery, method: 'GET', headers: { host: HOST, ...headers } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** An ext-authz check: only the client headers the rendered provider forwards reach oauth2-proxy. */
  function check(pathAndQuery: string, client: Record<string, string>): Promise<Answer> {
    const forwarded = Object.fromEntries(Object.entries(client).filter(([k]) => provider.includeRequestHeadersInCheck!.includes(k.toLowerCase())));
    return send(pathAndQuery, forwarded);
  }

  /** What the gateway copies onto the upstream request when the check allows it. */
  const upstream = (a: Answer) => Object.fromEntries(provider.headersToUpstreamOnAllow!.map((h) => [h, a.headers[h]]));

  /** Browser login through the gateway: check → Dex (test issuer) → /oauth2/callback → session cookie. */
  async function login(email: string, target = `/notebook/${user.namespace}/nb/`) {
    const first = await check(target, { accept: 'text/html' });
    const { redirect, request } = cluster.authorize(first.headers.location!, email);
    const callback = await send(redirect, { cookie: cookies(first).join('; ') });
    return { first, request, callback, session: cookies(callback).find((c) => c.startsWith(`${OAUTH2_PROXY.cookieName}=`)) };
  }

  beforeAll(async () => {
    await cluster.start();
    const pod = renderedPod(objects, 'Deployment', OAUTH2_PROXY.name, OAUTH2_PROXY.name);
    proxy = await NativePod.start(pod, {
      binaries: { '/bin/oauth2-proxy': programs['oauth2-proxy'].path },
      secrets: {
        [AUTH_SECRETS.oauth2Proxy.name]: {
          [AUTH_SECRETS.oauth2Proxy.keys.clientSecret]: clientSecret,
          // What the generator makes: 16 random bytes, hex-encoded.
          [AUTH_SECRETS.oauth2Proxy.keys.cookieSecret]: '00112233445566778899aabbccddeeff',
        },
      },
      // Published by the controller-manager in every namespace; here the test CA.
      configMaps: { 'kube-root-ca.crt': { 'ca.crt': cluster.tls.caPem } },
      env: cluster.proxyEnv,
    });
    probes = NativePod.describe(await proxy.probes());
  }, 60_000);

  afterAll(async () => {
    if (process.env.DEBUG_LOGIN) console.log(proxy?.logs());
    await proxy?.stop();
    await cluster.stop();
  });

  test('starts with the rendered args, config file and emails file, and passes its probes', () => {
    expect(probes).toMatch(/readiness: GET http:\/\/127\.0\.0\.1:\d+\/oauth2\/ready .* → HTTP 200/);
    expect(probes).toMatch(/liveness: GET http:\/\/127\.0\.0\.1:\d+\/oauth2\/ping .* → HTTP 200/);
    // The service-account issuer's keys were found by discovery over TLS, trusting the mounted CA.
    expect(cluster.calls).toContain(`GET ${saIssuer}/.well-known/openid-configuration`);
  });

  test('an anonymous browser request is redirected to Dex with PKCE, on the address the user typed', async () => {
    const a = await check(`/notebook/${user.namespace}/nb/`, { accept: 'text/html,application/xhtml+xml' });
    expect(a.status).toBe(302);
    const location = new URL(a.headers.location!, `http://${HOST}`);
    expect(location.host).toBe(HOST);
    expect(location.pathname).toBe(`${DEX.pathPrefix}auth`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: DEX.clientId, redirect_uri: `${OAUTH2_PROXY.pathPrefix}callback`, code_challenge_method: 'S256', response_type: 'code',
    });
    expect(cookies(a).some((c) => c.startsWith(`${OAUTH2_PROXY.cookieName}_csrf`))).toBe(true);
  });

  // Upstream's /ping and /ready answer 200 before any session check: as ext-authz checks they
  // would let through any request for those paths, even with a token oauth2-proxy refuses.
  const outsiderToken = () => cluster.serviceAccountToken('system:serviceaccount:kube-system:default', audience);
  test.each([
    ['a browser without a session', { accept: 'text/html' }, 302],
    ['an API client without a session', { accept: 'application/json' }, 401],
    ['a verified token of an identity oauth2-proxy refuses', { accept: 'application/json', authorization: `Bearer ${outsiderToken()}` }, 403],
  ])('a check of /ping or /ready is refused like any page: %s', async (_what, headers, status) => {
    for (const p of ['/ping', '/ready', '/ping?x=1']) {
      const a = await check(p, headers);
      expect({ path: p, status: a.status, body: a.body }).toEqual({ path: p, status, body: expect.not.stringMatching(/^OK$/) });
      expect(upstream(a).authorization).toBeUndefined();
    }
  });

  test('the health endpoints answer under /oauth2/, which the gateway routes to oauth2-proxy unchecked', async () => {
    for (const p of [OAUTH2_PROXY.pingPath, OAUTH2_PROXY.readyPath]) {
      const a = await send(p);
      expect({ path: p, status: a.status, body: a.body }).toEqual({ path: p, status: 200, body: 'OK' });
    }
  });

  test.each([
    ['the kfp SDK path', '/pipeline/apis/v2beta1/runs', {}],
    ['an /api/ path', '/jupyter/api/namespaces/x/notebooks', {}],
    ['a JSON client anywhere', `/notebook/${user.namespace}/nb/`, { accept: 'application/json' }],
  ])('an anonymous API client is refused with 401: %s', async (_what, p, headers) => {
    const a = await check(p, headers);
    expect(a.status).toBe(401);
    expect(a.headers.location).toBeUndefined();
  });

  test('after the login callback the request passes, with the ID token the gateway turns into kubeflow-userid', async () => {
    const { callback, session, request } = await login(user.email);
    expect(request.params.get('code_challenge')).toBeTruthy();
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe(`/notebook/${user.namespace}/nb/`);
    expect(session).toBeDefined();
    // HTTPS by default (docs/security.md, path 7): Secure, host-only (works on a node address), HttpOnly.
    const raw = callback.headers['set-cookie']!.find((c) => c.startsWith(`${OAUTH2_PROXY.cookieName}=`))!;
    expect(raw).toMatch(/;\s*Secure/i);
    expect(raw).not.toMatch(/;\s*Domain=/i);
    expect(raw).toMatch(/;\s*HttpOnly/i);

    const a = await check(`/notebook/${user.namespace}/nb/`, { cookie: session!, accept: 'text/html' });
    expect(a.status).toBe(200);
    const auth = upstream(a).authorization as string;
    expect(auth).toMatch(/^Bearer ey/);
    const claims = payload(auth.slice('Bearer '.length));
    // What the RequestAuthentication's outputClaimToHeaders maps to kubeflow-userid.
    expect({ iss: claims.iss, aud: claims.aud, email: claims.email }).toEqual({ iss: DEX_ISSUER, aud: DEX.clientId, email: user.email });
    expect(a.headers['x-auth-request-email']).toBe(user.email);
    // oauth2-proxy's identity headers are not copied upstream, and the gateway removes any a client
    // sends (an app that trusts them, as oauth2-proxy-aware apps do, would take the client's word).
    const identity = Object.keys(a.headers).filter((h) => h.startsWith('x-auth-request-'));
    expect(identity.length).toBeGreaterThan(0);
    expect(identity.filter((h) => provider.headersToUpstreamOnAllow!.includes(h) || !CLIENT_HEADERS_REMOVED.includes(h))).toEqual([]);
  });

  test('the session cookie oauth2-proxy sets is SameSite=Lax and lasts cookie_expire (23h), not a minute longer', async () => {
    const before = Date.now();
    const { callback } = await login(user.email);
    const raw = callback.headers['set-cookie']!.find((c) => c.startsWith(`${OAUTH2_PROXY.cookieName}=`))!;
    expect(raw).toMatch(/;\s*SameSite=Lax(;|$)/i);
    // Max-Age if set, else Expires (whole seconds): 23h from the callback, give or take them.
    const maxAge = /;\s*Max-Age=(\d+)/i.exec(raw)?.[1];
    const expires = /;\s*Expires=([^;]+)/i.exec(raw)?.[1];
    expect({ raw, lifetimeAttribute: !!(maxAge || expires) }).toEqual({ raw, lifetimeAttribute: true });
    const lifetime = maxAge ? Number(maxAge) : (Date.parse(expires!) - before) / 1000;
    expect(lifetime).toBeGreaterThan(23 * 3600 - 60);
    expect(lifetime).toBeLessThanOrEqual(23 * 3600 + 1);
  });

  test('a user Dex knows but the configuration does not list is refused at the callback, with no session', async () => {
    const { callback, session } = await login('mallory@example.com');
    expect(callback.status).toBe(403);
    expect(session).toBeUndefined();
  });

  test('a session cookie forged without the cookie secret is not a session', async () => {
    const a = await check('/pipeline/apis/v2beta1/runs', { cookie: `${OAUTH2_PROXY.cookieName}=${Buffer.from('{"email":"you@microflow.local"}').toString('base64')}` });
    expect(a.status).toBe(401);
  });

  test('a Dex ID token as a bearer token (kfp SDK) passes, for a configured user only', async () => {
    const ok = await check('/pipeline/apis/v2beta1/runs', { authorization: `Bearer ${cluster.dexToken(user.email)}` });
    expect(ok.status).toBe(200);
    expect(payload((upstream(ok).authorization as string).slice(7)).email).toBe(user.email);
    const outsider = await check('/pipeline/apis/v2beta1/runs', { authorization: `Bearer ${cluster.dexToken('mallory@example.com')}` });
    expect(outsider.status).toBe(403);
  });

  const sa = `system:serviceaccount:${user.namespace}:default-editor`;
  test('a service-account token of the configured issuer and audience passes as that service account', async () => {
    const token = cluster.serviceAccountToken(sa, audience);
    const a = await check('/pipeline/apis/v2beta1/runs', { authorization: `Bearer ${token}` });
    expect(a.status).toBe(200);
    // The gateway's RequestAuthentication verifies the same token and maps `sub` to kubeflow-userid.
    expect(upstream(a).authorization).toBe(`Bearer ${token}`);
    expect(a.headers['x-auth-request-email']).toBe(sa);
  });

  test.each([
    ['from another issuer', () => cluster.serviceAccountToken(sa, audience, { iss: 'https://evil.example' }, new SigningKey()), /unable to verify bearer token/],
    ['signed with another key', () => cluster.serviceAccountToken(sa, audience, {}, new SigningKey()), /failed to verify id token signature/],
    ['expired', () => cluster.serviceAccountToken(sa, audience, { iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 }), /token is expired/],
    ['for another audience (an API-server token)', () => cluster.serviceAccountToken(sa, saIssuer), /invalid audience/],
    ['of a service account outside the users\' namespaces', () => cluster.serviceAccountToken('system:serviceaccount:kube-system:default', audience), /invalid email/],
  ])('a service-account token %s is refused', async (_what, token, reason) => {
    const before = proxy.logs().length;
    const a = await check('/pipeline/apis/v2beta1/runs', { authorization: `Bearer ${token()}` });
    expect(a.status).toBe(403);
    expect(upstream(a).authorization).toBeUndefined();
    expect(proxy.logs().slice(before)).toMatch(reason);
  });
});
