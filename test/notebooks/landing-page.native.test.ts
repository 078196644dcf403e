/**
 * The landing page with the real programs: Debian's nginx serves the rendered server block and page
 * (SSI and the email → namespace map included), a small proxy in front adds the user header as the
 * gateway does after login (one proxy per user, and one for a stranger), and headless Chromium (Debian's)
 * renders it: the links are checked in the DOM Chromium built, each user's TensorBoards and self-service
 * slot as that user sees them, and a screenshot is kept in test/output/landing-page.png.
 * Native tier: needs nginx and chromium (test/native/tier.js).
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { LANDING_FILES, NOTEBOOKS, TENSORBOARD_SELF_SERVICE } from '../../lib/notebooks';
import { ROOT } from '../support/stack';
import { landingConfigMap } from './support';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p)) ?? 'nginx';
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p)) ?? 'chromium';
// Real programs: a Chromium start takes 1-3 s on an idle 2-core machine and passed jest's 5 s default
// beside other jobs (two starts per test); `run` bounds each start at 60 s.
jest.setTimeout(150_000);
const OUTPUT = path.join(ROOT, 'test', 'output');
// Flags that work on this machine: no sandbox as root, and none of Chromium's background network calls.
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars'];

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(port));
  });
});

function get(port: number, headers: Record<string, string> = {}, urlPath = '/'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject);
  });
}

/** Runs a program without blocking this process (the proxy in front of nginx lives in it). */
function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** The DOM Chromium builds for a page (in the given profile), and its links by text. */
async function seenByChromium(url: string, profile: string): Promise<{ dom: string; byText: Record<string, string> }> {
  const dom = await run(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url]);
  expect(dom.status).toBe(0);
  return { dom: dom.stdout, byText: Object.fromEntries([...dom.stdout.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[2], m[1]])) };
}

/** The "Your TensorBoards" section of a DOM, and its links as [text, href] in page order. */
function tensorboardsSection(dom: string): { html: string; links: [string, string][] } {
  const m = dom.match(/<section id="tensorboards">([\s\S]*?)<\/section>/);
  if (!m) throw new Error(`no TensorBoards section in:\n${dom}`);
  return { html: m[1], links: [...m[1].matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((l) => [l[2], l[1]]) };
}

/** Runs `f` with a fresh Chromium profile, removed afterwards. */
async function withProfile<T>(f: (profile: string) => Promise<T>): Promise<T> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-chromium-'));
  try {
    return await f(profile);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The page the stack renders with `objectStore: seaweedfs`, served beside the MinIO one. */
const SEAWEEDFS_PAGE = 'seaweedfs.html';

describe('landing page served by nginx, seen by Chromium', () => {
  const { data, users, userIdHeader } = landingConfigMap();
  const seaweedfs = landingConfigMap({ objectStore: 'seaweedfs', storage: { objectStoreReplicas: 1 } }).data;
  const alice = users[0];
  const STRANGER = 'mallory@example.org';
  let dir: string;
  let nginx: ChildProcess;
  const proxies: http.Server[] = [];
  /** Port of the proxy that signs requests in as each email (the gateway after that user's login). */
  const proxyPorts: Record<string, number> = {};
  let nginxPort: number;
  let proxyPort: number;

  /** The gateway after login: the user's email in the user header, whatever the browser sent. */
  async function startProxy(email: string): Promise<number> {
    const port = await freePort();
    proxies.push(http.createServer((req, res) => {
      const headers = { ...req.headers, [userIdHeader]: email };
      const up = http.request({ host: '127.0.0.1', port: nginxPort, path: req.url, method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      req.pipe(up);
    }).listen(port, '127.0.0.1'));
    return port;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-landing-'));
    // nginx started as root serves from unprivileged workers: they must be able to read the files.
    fs.chmodSync(dir, 0o755);
    nginxPort = await freePort();
    const html = path.join(dir, 'html');
    fs.mkdirSync(html);
    for (const t of ['client', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, t));
    fs.writeFileSync(path.join(html, LANDING_FILES.html), data[LANDING_FILES.html]);
    fs.writeFileSync(path.join(html, SEAWEEDFS_PAGE), seaweedfs[LANDING_FILES.html]);
    // The rendered server block as it is, but on a free loopback port and this test's html folder
    // (in the pod, the ConfigMap is mounted at the image's html folder and the pod port is 8080).
    const server = data[LANDING_FILES.nginx]
      .replace(/listen \d+;/, `listen 127.0.0.1:${nginxPort};`)
      .replace(/root \S+;/, `root ${html};`);
    fs.writeFileSync(path.join(dir, LANDING_FILES.nginx), server);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), [
      'daemon off;', 'worker_processes 1;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log warn;`,
      'events {}',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t.replace('_body', '')};`),
      `  include ${dir}/${LANDING_FILES.nginx};`,
      '}', '',
    ].join('\n'));
    const check = spawnSync(NGINX, ['-t', '-c', path.join(dir, 'nginx.conf'), '-p', dir], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx refused the rendered configuration:\n${check.stderr}`);
    nginx = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
    for (const email of [...users.map((u) => u.email), STRANGER]) proxyPorts[email] = await startProxy(email);
    proxyPort = proxyPorts[alice.email];
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await get(nginxPort, {}, '/healthz')).status === 200) break;
      } catch {
        if (Date.now() > deadline) throw new Error(`nginx did not answer: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await Promise.all(proxies.map((p) => new Promise<void>((r) => p.close(() => r()))));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the probes\' /healthz answers ok', async () => {
    const r = await get(nginxPort, {}, '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok\n');
  });

  test('a signed-in user sees their email and namespace; an unknown one sees none', async () => {
    const known = await get(nginxPort, { [userIdHeader]: alice.email });
    expect(known.status).toBe(200);
    expect(known.headers['cache-control']).toBe('no-store');
    expect(known.body).toContain(`<strong id="user">${alice.email}</strong>`);
    expect(known.body).toContain(`<code id="namespace">${alice.namespace}</code>`);
    expect(known.body).not.toContain('<!--#');
    const stranger = await get(nginxPort, { [userIdHeader]: STRANGER });
    expect(stranger.body).toContain('none (ask the administrator');
    expect(stranger.body).not.toContain(alice.namespace === 'none' ? '\u0000' : `?ns=${alice.namespace}`);
  });

  test('a header carrying markup is echoed escaped, never as markup', async () => {
    const r = await get(nginxPort, { [userIdHeader]: '<script>alert(1)</script>' });
    expect(r.body).not.toContain('<script>alert(1)</script>');
    expect(r.body).toContain('&lt;script&gt;');
  });

  test('Chromium renders the page: links to Notebooks, Pipelines, the user\'s TensorBoards (in the user\'s namespace) and the object-store console; screenshot kept', async () => {
    const url = `http://127.0.0.1:${proxyPort}/`;
    await withProfile(async (profile) => {
      const { dom, byText } = await seenByChromium(url, profile);
      expect(byText.Notebooks).toBe(`/jupyter/?ns=${alice.namespace}`);
      expect(byText.Pipelines).toBe(`/pipeline/?ns=${alice.namespace}`);
      expect(byText.TensorBoards).toBe('#tensorboards');
      // MinIO's console, routed at its documented subpath (test/data/object-store-console.test.ts).
      expect(byText['Object store']).toBe('/minio/ui/');
      expect(alice.tensorboards.length).toBeGreaterThan(0);
      for (const tb of alice.tensorboards) expect(byText[tb.name]).toBe(tb.path);
      expect(dom).toContain(`<code id="namespace">${alice.namespace}</code>`);

      fs.mkdirSync(OUTPUT, { recursive: true });
      const shot = path.join(OUTPUT, 'landing-page.png');
      fs.rmSync(shot, { force: true });
      const s = await run(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--window-size=1200,800', `--screenshot=${shot}`, url]);
      expect(s.status).toBe(0);
      const png = fs.readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
      console.log(`landing page screenshot: ${shot}`);
    });
  });

  test('each user\'s "Your TensorBoards" holds their declared TensorBoards and their own self-service slot, never another user\'s; a stranger sees none', async () => {
    expect(users.length).toBeGreaterThan(1);
    // Bob has no declared TensorBoard, Alice one: both wordings are seen.
    expect(users.some((u) => u.tensorboards.length === 0)).toBe(true);
    for (const u of users) {
      // The route the stack renders in the user's own namespace (test/notebooks/support.ts) is at
      // /tensorboard/<their namespace>/self-service/.
      expect(u.tensorboardSlot.path).toBe(`${NOTEBOOKS.tensorboardPrefix}${u.namespace}/${TENSORBOARD_SELF_SERVICE.slot}/`);
      const { dom } = await withProfile((profile) => seenByChromium(`http://127.0.0.1:${proxyPorts[u.email]}/`, profile));
      expect(dom).toContain(`<code id="namespace">${u.namespace}</code>`);
      const section = tensorboardsSection(dom);
      // Exactly their declared ones, then their slot: no other link in the section.
      expect(section.links).toEqual([...u.tensorboards.map((t) => [t.name, t.path]), [TENSORBOARD_SELF_SERVICE.slot, u.tensorboardSlot.path]]);
      expect(section.html).toMatch(/serves the TensorBoard you start yourself: apply examples\/tensorboard-self-service\.yaml in your namespace \(docs\/notebooks.md, "TensorBoards"\)/);
      expect(section.html).not.toContain('declared for this namespace yet');
      expect(section.html.includes('No TensorBoard is declared for this namespace in the configuration')).toBe(u.tensorboards.length === 0);
      // Nothing anywhere on the page leads into another user's TensorBoards.
      for (const other of users.filter((o) => o !== u)) {
        expect(dom).not.toContain(other.tensorboardSlot.path);
        expect(dom).not.toContain(`${NOTEBOOKS.tensorboardPrefix}${other.namespace}/`);
      }
    }
    const { dom } = await withProfile((profile) => seenByChromium(`http://127.0.0.1:${proxyPorts[STRANGER]}/`, profile));
    expect(dom).toContain('none (ask the administrator');
    expect(tensorboardsSection(dom).links).toEqual([]);
    expect(dom).not.toContain(NOTEBOOKS.tensorboardPrefix);
  });

  test('with SeaweedFS the page has the same applications but no object-store link (its pages have no login, so nothing routes them)', async () => {
    const { byText } = await withProfile((profile) => seenByChromium(`http://127.0.0.1:${proxyPort}/${SEAWEEDFS_PAGE}`, profile));
    expect(byText.Notebooks).toBe(`/jupyter/?ns=${alice.namespace}`);
    expect(byText.Pipelines).toBe(`/pipeline/?ns=${alice.namespace}`);
    expect(byText.TensorBoards).toBe('#tensorboards');
    expect(byText['Object store']).toBeUndefined();
    expect(Object.values(byText).filter((href) => href.startsWith('/minio/'))).toEqual([]);
  });
});
