/**
 * The landing page's HTML (landingHtml) without the real programs (landing-page.native.test.ts serves it
 * with nginx and Chromium): each user's server-side-include block links their declared TensorBoards and
 * their own self-service slot and nothing of another user's, and paths are escaped.
 */
import { LANDING_FILES, landingHtml, NOTEBOOKS, SLOT_DESCRIPTION, TENSORBOARD_SELF_SERVICE } from '../../lib/notebooks';
import { landingConfigMap } from './support';

/** The page's part nginx shows to a user whose namespace is `ns`: their block of the TensorBoards section. */
function blockOf(html: string, ns: string): string {
  const start = `<!--# if expr="$microflow_namespace = ${ns}" -->`;
  const from = html.indexOf(start);
  if (from < 0) throw new Error(`no block for ${ns}`);
  return html.slice(from + start.length, html.indexOf('<!--# endif -->', from));
}
const hrefs = (html: string) => [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[2], m[1]]);

describe('landing page as the stack renders it (examples/cluster.yaml)', () => {
  const { data, users } = landingConfigMap();
  const html = data[LANDING_FILES.html];

  test('each user\'s block links their declared TensorBoards, then their own slot, at /tensorboard/<their namespace>/self-service/', () => {
    expect(users.length).toBeGreaterThan(1);
    for (const u of users) {
      expect(u.tensorboardSlot.path).toBe(`${NOTEBOOKS.tensorboardPrefix}${u.namespace}/${TENSORBOARD_SELF_SERVICE.slot}/`);
      const block = blockOf(html, u.namespace);
      expect(hrefs(block)).toEqual([...u.tensorboards.map((t) => [t.name, t.path]), [TENSORBOARD_SELF_SERVICE.slot, u.tensorboardSlot.path]]);
      for (const other of users.filter((o) => o !== u)) expect(block).not.toContain(`${NOTEBOOKS.tensorboardPrefix}${other.namespace}/`);
      expect(block.includes('No TensorBoard is declared for this namespace in the configuration')).toBe(u.tensorboards.length === 0);
    }
  });

  test('outside the users\' blocks (what a user with no namespace sees) no TensorBoard or slot is linked', () => {
    let rest = html;
    for (const u of users) rest = rest.replace(blockOf(html, u.namespace), '');
    expect(rest).not.toContain(NOTEBOOKS.tensorboardPrefix);
  });

  test('the slot\'s line names the recipe and the README section', () => {
    expect(SLOT_DESCRIPTION).toContain('examples/tensorboard-self-service.yaml');
    expect(SLOT_DESCRIPTION).toContain('"TensorBoards"');
    expect(blockOf(html, users[0].namespace)).toContain(`<span>${SLOT_DESCRIPTION.replace(/"/g, '&quot;')}</span>`);
  });
});

test('paths and names are escaped in the TensorBoards section', () => {
  const html = landingHtml({
    userIdHeader: 'kubeflow-userid',
    links: [],
    domain: 'example.org',
    users: [{ email: 'a@example.org', namespace: 'a', tensorboards: [{ name: '<b>', path: '/t/"x' }], tensorboardSlot: { path: '/s/"><script>alert(1)</script>' } }],
  });
  expect(html).not.toContain('<script>');
  expect(html).not.toContain('<b>');
  expect(html).toContain('<a href="/s/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">self-service</a>');
  expect(html).toContain('<a href="/t/&quot;x">&lt;b&gt;</a>');
});
