/**
 * A test stand-in for the cluster around oauth2-proxy: Dex's OpenID endpoints and the API server's
 * service-account discovery, served on loopback as an HTTP forward proxy. oauth2-proxy runs with
 * HTTP(S)_PROXY pointing here, so it calls the in-cluster URLs of its rendered configuration
 * unchanged (`http://dex.auth.svc.cluster.local:5556/dex/token`, and over TLS through CONNECT,
 * `https://kubernetes.default.svc/.well-known/openid-configuration`) and this server answers.
 */
import { spawnSync } from 'child_process';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** An RSA signing key with its JWKS entry. */
export class SigningKey {
  readonly kid = randomBytes(8).toString('hex');
  private readonly pair = generateKeyPairSync('rsa', { modulusLength: 2048 });

  get jwk(): object {
    return { ...(this.pair.publicKey as KeyObject).export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  /** A signed JWT (RS256) with these claims. */
  jwt(claims: Record<string, unknown>): string {
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    return `${head}.${body}.${b64url(sign('RSA-SHA256', Buffer.from(`${head}.${body}`), this.pair.privateKey))}`;
  }
}

/** A throwaway CA and a server certificate for one host name, made with openssl. */
export function testTls(host: string): { caPem: string; key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-tls-'));
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  try {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-cluster-ca']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${host}`]);
    fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=DNS:${host}\n`);
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'ext.cnf']);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    return { caPem: read('ca.crt'), key: read('server.key'), cert: read('server.crt') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface IssuerOptions {
  /** Dex's issuer URL as rendered (http://dex.auth.svc.cluster.local:5556/dex). */
  readonly dexIssuer: string;
  /** The OAuth2 client oauth2-proxy is, with the secret the test gave it. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The service-account issuer (https URL) whose discovery this server answers over TLS. */
  readonly saIssuer: string;
}

/** What the test issuer saw at its authorization endpoint. */
export interface AuthRequest {
  readonly params: URLSearchParams;
}

export class TestCluster {
  readonly dexKey = new SigningKey();
  readonly saKey = new SigningKey();
  readonly tls: { caPem: string; key: string; cert: string };
  /** Every request oauth2-proxy made through the proxy: "METHOD url". */
  readonly calls: string[] = [];
  private readonly codes = new Map<string, { email: string; challenge: string; nonce?: string }>();
  private server?: http.Server;
  private readonly tlsServer: https.Server;
  private readonly dexHost: string;
  private readonly saHost: string;
  port = 0;

  constructor(private readonly opts: IssuerOptions) {
    this.dexHost = new URL(opts.dexIssuer).host;
    this.saHost = new URL(opts.saIssuer).hostname;
    this.tls = testTls(this.saHost);
    this.tlsServer = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => this.serviceAccountDiscovery(req, res));
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.forward(req, res));
    // CONNECT host:443 → TLS with the test CA's certificate for that host, served here.
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
      this.calls.push(`CONNECT ${req.url}`);
      if (req.url !== `${this.saHost}:443`) {
        socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        return;
      }
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      this.tlsServer.emit('connection', socket);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
    this.tlsServer.close();
  }

  /** The environment that sends oauth2-proxy's outgoing requests here. */
  get proxyEnv(): Record<string, string> {
    const url = `http://127.0.0.1:${this.port}`;
    return { HTTP_PROXY: url, HTTPS_PROXY: url, NO_PROXY: '' };
  }

  /**
   * Dex's authorization endpoint, as the browser reaches it through the gateway: "logs in" `email`
   * and redirects to the callback with a code, as Dex does after a successful password login.
   */
  authorize(location: string, email: string): { redirect: string; request: AuthRequest } {
    const url = new URL(location, 'http://gateway.invalid');
    const p = url.searchParams;
    if (p.get('client_id') !== this.opts.clientId) throw new Error(`unknown client ${p.get('client_id')}`);
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { email, challenge: p.get('code_challenge') ?? '', nonce: p.get('nonce') ?? undefined });
    const redirect = `${p.get('redirect_uri')}?${new URLSearchParams({ code, state: p.get('state') ?? '' })}`;
    return { redirect, request: { params: p } };
  }

  /** An ID token as Dex issues it for a user of this client. */
  dexToken(email: string, extra: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return this.dexKey.jwt({
      iss: this.opts.dexIssuer, aud: this.opts.clientId, sub: createHash('sha256').update(email).digest('hex'),
      email, email_verified: true, groups: ['users'], name: email.split('@')[0], iat: now, exp: now + 3600, ...extra,
    });
  }

  /** A projected service-account token as the API server issues it. */
  serviceAccountToken(sub: string, audience: string, extra: Record<string, unknown> = {}, key = this.saKey): string {
    const now = Math.floor(Date.now() / 1000);
    return key.jwt({ iss: this.opts.saIssuer, aud: [audience], sub, iat: now, nbf: now, exp: now + 3600, ...extra });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Requests oauth2-proxy sends to Dex's in-cluster address. */
  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.calls.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://invalid');
    if (url.host !== this.dexHost) return this.json(res, 502, { error: `no route to ${url.host}` });
    const issuerPath = new URL(this.opts.dexIssuer).pathname;
    if (req.method === 'GET' && url.pathname === `${issuerPath}/keys`) return this.json(res, 200, { keys: [this.dexKey.jwk] });
    if (req.method === 'POST' && url.pathname === `${issuerPath}/token`) {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => this.token(req, new URLSearchParams(body), res));
      return;
    }
    this.json(res, 404, { error: 'not found' });
  }

  /** Dex's token endpoint: client authentication, one-time code, PKCE S256. */
  private token(req: http.IncomingMessage, form: URLSearchParams, res: http.ServerResponse): void {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [id, secret] = basic
      ? Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent)
      : [form.get('client_id'), form.get('client_secret')];
    if (id !== this.opts.clientId || secret !== this.opts.clientSecret) return this.json(res, 401, { error: 'invalid_client' });
    const grant = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    if (form.get('grant_type') !== 'authorization_code' || !grant) return this.json(res, 400, { error: 'invalid_grant' });
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return this.json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    this.json(res, 200, {
      access_token: randomBytes(16).toString('hex'), token_type: 'bearer', expires_in: 3600,
      id_token: this.dexToken(grant.email, grant.nonce ? { nonce: grant.nonce } : {}),
    });
  }

  /** The API server's OIDC discovery for its service-account issuer. */
  private serviceAccountDiscovery(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.calls.push(`${req.method} https://${this.saHost}${req.url}`);
    if (req.url === '/.well-known/openid-configuration') {
      return this.json(res, 200, {
        issuer: this.opts.saIssuer, jwks_uri: `${this.opts.saIssuer}/openid/v1/jwks`,
        response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.url === '/openid/v1/jwks') return this.json(res, 200, { keys: [this.saKey.jwk] });
    this.json(res, 404, { error: 'not found' });
  }
}
