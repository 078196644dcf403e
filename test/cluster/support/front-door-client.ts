/**
 * The client side of the front door tier: requests sent with curl from inside the network namespace
 * (the raw path as written, `--path-as-is`; headers exactly as given), what came back, and which
 * backends saw the request. A browser's login through Dex and oauth2-proxy, step by step.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GATEWAY } from '../../../lib/gateway';
import type { Backends } from './front-door-backends';
import type { Netns } from './netns';

export interface Seen {
  status: number;
  /** Response headers, names lower-cased, in order (Set-Cookie may repeat). */
  headers: [string, string][];
  body: string;
  /** What the echo backends received while the request ran. */
  reached: { backend: string; url: string; headers: Record<string, string> }[];
}

export interface RequestOptions {
  headers?: Record<string, string>;
  method?: string;
  /** An urlencoded form body (POST). */
  form?: Record<string, string>;
  /** HTTP/1.1 instead of HTTP/2 (curl's default over TLS). */
  http1?: boolean;
}

export const header = (seen: Seen, name: string) => seen.headers.find(([n]) => n === name)?.[1];
/** `name=value` of each Set-Cookie. */
export const setCookies = (seen: Seen) => seen.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v);
export const cookiePairs = (seen: Seen) => setCookies(seen).map((c) => c.split(';')[0]);

export class Client {
  private n = 0;

  constructor(private readonly ns: Netns, private readonly dir: string, private readonly domain: string,
    private readonly backends: Backends, private readonly caFile: string) {}

  /** One request to the gateway's HTTP (8080) or HTTPS (8443) listener. */
  async request(scheme: 'http' | 'https', rawPath: string, opts: RequestOptions = {}): Promise<Seen> {
    const port = scheme === 'http' ? GATEWAY.ports.http.containerPort : GATEWAY.ports.https.containerPort;
    this.backends.clear();
    const base = path.join(this.dir, `curl-${this.n++ % 4}`);
    const args = ['-sS', '--path-as-is', '-o', `${base}.body`, '-D', `${base}.headers`, '-w', '%{http_code}', '--max-time', '30',
      '--resolve', `${this.domain}:${port}:127.0.0.1`, '--cacert', this.caFile,
      ...Object.entries(opts.headers ?? {}).flatMap(([n, v]) => ['-H', `${n}: ${v}`])];
    if (opts.method) args.push('-X', opts.method);
    if (opts.http1) args.push('--http1.1');
    if (opts.form) args.push('--data-raw', new URLSearchParams(opts.form).toString());
    args.push(`${scheme}://${this.domain}:${port}${rawPath}`);
    const r = await this.ns.exec('curl', args, this.dir);
    if (r.code !== 0) return { status: 0, headers: [['error', r.stderr]], body: '', reached: [] };
    const lines = fs.readFileSync(`${base}.headers`, 'utf8').split('\r\n').slice(1).filter(Boolean);
    return {
      status: Number(r.stdout),
      headers: lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      body: fs.readFileSync(`${base}.body`, 'utf8'),
      reached: this.backends.read(),
    };
  }

  /**
   * A browser's login: a protected page → oauth2-proxy's redirect to Dex → Dex's login form, posted
   * → Dex's redirect to /oauth2/callback → oauth2-proxy's session cookie. Returns every step and the
   * session cookie (`name=value`), so a test asserts each step.
   */
  async login(email: string, password: string, page = '/pipeline/'): Promise<{ steps: Seen[]; session?: string }> {
    const steps: Seen[] = [];
    const jar = new Map<string, string>();
    let last = page;
    const send = async (p: string, opts: RequestOptions = {}) => {
      last = p;
      const cookie = [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
      const seen = await this.request('https', p, { ...opts, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...opts.headers } });
      for (const pair of cookiePairs(seen)) jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      steps.push(seen);
      return seen;
    };
    const follow = (seen: Seen) => { const l = header(seen, 'location'); if (!l) throw new Error(`no redirect at step ${steps.length}: ${seen.status} ${seen.body.slice(0, 500)}`); return l.replace(/^https:\/\/[^/]+/, ''); };
    let seen = await send(page);
    // oauth2-proxy → /dex/auth?… → (Dex's one connector) /dex/auth/local/login?… : its form.
    for (let i = 0; i < 5 && seen.status >= 300 && seen.status < 400; i++) seen = await send(follow(seen));
    const form = /<form[^>]*method="post"[^>]*>/i.exec(seen.body)?.[0];
    if (seen.status !== 200 || !form) throw new Error(`no login form at step ${steps.length}: ${seen.status} ${seen.body.slice(0, 500)}`);
    // Dex's form posts to its own page unless it names another.
    const action = /action="([^"]*)"/.exec(form)?.[1]?.replace(/&amp;/g, '&') || last;
    seen = await send(action, { method: 'POST', form: { login: email, password } });
    // Dex → (approval, skipped) → /oauth2/callback?code=… → the page, with the session cookie.
    for (let i = 0; i < 5 && seen.status >= 300 && seen.status < 400 && !jar.has('oauth2_proxy_kubeflow'); i++) seen = await send(follow(seen));
    const session = jar.get('oauth2_proxy_kubeflow');
    return { steps, session: session ? `oauth2_proxy_kubeflow=${session}` : undefined };
  }

  /** One line per step of a login, for a failure message. */
  static describe(steps: Seen[]): string {
    return steps.map((x, i) => `${i}: ${x.status} ${header(x, 'location') ?? ''} ${setCookies(x).map((c) => c.split('=')[0]).join(',')} ${x.status >= 400 || x.status === 0 || i === steps.length - 1 ? x.body.replace(/\s+/g, ' ').slice(0, 1500) : ''}`).join('\n');
  }
}
