import { PROFILE_DEFAULTS, resolveConfig } from '../../lib/config';
import { problems } from '../support/config';
import { resolveUsers } from '../../lib/users';

describe('users', () => {
  test('the built-in laptop profile has one user, so a plain synth renders a working login', () => {
    expect(PROFILE_DEFAULTS.laptop.users).toEqual([{ email: 'you@microflow.local' }]);
    expect(resolveUsers(resolveConfig({}))).toMatchObject([{ email: 'you@microflow.local', namespace: 'you-microflow-local' }]);
  });

  test('a user is an email or a mapping; emails are lower-cased; namespaces and quotas default', () => {
    const c = resolveConfig({ users: ['Ada@Example.org', { email: 'bob@example.org', namespace: 'bob', quota: { gpus: 2 } }], profile: 'gpu-workstation' });
    const [ada, bob] = resolveUsers(c);
    expect(ada).toMatchObject({ email: 'ada@example.org', namespace: 'ada-example-org', quota: c.userNamespace.quota });
    expect(bob).toMatchObject({ email: 'bob@example.org', namespace: 'bob', quota: { ...c.userNamespace.quota, gpus: 2 } });
    expect(ada.serviceAccounts).toEqual(['default-editor', 'default-viewer']);
  });

  test('without GPUs the GPU quota is 0 whatever the user asked', () => {
    const [u] = resolveUsers(resolveConfig({ users: [{ email: 'a@b.org', quota: { gpus: 4 } }] }));
    expect(u.quota.gpus).toBe(0);
  });

  test.each([
    ['an empty list', { users: [] }, /^users: expected at least one user: login is always on/],
    ['the same email twice', { users: ['a@b.org', 'A@b.org'] }, /^users\.1\.email: a@b\.org is listed twice/],
    ['two users in one namespace', { users: [{ email: 'a@b.org', namespace: 'x' }, { email: 'c@d.org', namespace: 'x' }] }, /^users\.1\.namespace: namespace "x" is already users\.0's/],
    ['a platform namespace', { users: [{ email: 'a@b.org', namespace: 'kubeflow' }] }, /^users\.0\.namespace: namespace "kubeflow" is reserved/],
    ['a kube- namespace', { users: [{ email: 'a@b.org', namespace: 'kube-system' }] }, /reserved/],
    ['a bad namespace', { users: [{ email: 'a@b.org', namespace: 'Not_OK' }] }, /^users\.0\.namespace: expected a namespace name/],
    ['an unknown user key', { users: [{ email: 'a@b.org', nmespace: 'x' }] }, /^users\.0: unknown key "nmespace"/],
    ['a derived namespace that is too long', { users: [`${'a'.repeat(60)}@example.org`] }, /^users\.0: the namespace derived from .* set `namespace`/],
    ['a bad quota', { users: [{ email: 'a@b.org', quota: { memory: '4 GB' } }] }, /^users\.0\.quota\.memory: expected a memory quantity/],
    ['container defaults above their limits', { userNamespace: { containerDefaults: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, /^userNamespace\.containerDefaults\.requests\.cpu: expected at most the limit 1/],
    ['an inline connector secret', { login: { connectors: [{ type: 'github', id: 'github', name: 'GitHub', secret: { name: 's', key: 'k' }, config: { clientID: 'x', clientSecret: 'oops' } }] } }, /^login\.connectors\.0\.config\.clientSecret: must not be written inline/],
    ['a connector without its Secret', { login: { connectors: [{ type: 'oidc', id: 'corp', name: 'Corp', config: { issuer: 'https://id.example' } }] } }, /^login\.connectors\.0\.secret: expected the Secret holding the oidc clientSecret/],
    ['an unknown connector type', { login: { connectors: [{ type: 'saml', id: 'x', name: 'X', config: {} }] } }, /^login\.connectors\.0\.type: expected "github", "oidc" or "ldap"/],
    ['the reserved connector id', { login: { connectors: [{ type: 'ldap', id: 'local', name: 'X', config: {} }] } }, /^login\.connectors\.0\.id: connector id "local" is reserved/],
    ['a plain-http token issuer', { login: { serviceAccountTokens: { issuer: 'http://kubernetes.default.svc', audience: 'a' } } }, /^login\.serviceAccountTokens\.issuer: expected the https URL/],
  ])('%s is refused with the field named', (_what, input, message) => {
    const p = problems(input);
    expect(p.some((m) => message.test(m))).toBe(true);
  });

  test('an LDAP connector may bind anonymously; connectors pass through with their Secret named', () => {
    expect(problems({ login: { connectors: [{ type: 'ldap', id: 'ldap', name: 'LDAP', config: { host: 'ldap.example:636' } }] } })).toEqual([]);
  });

  describe('connector settings that let an upstream account pick its own email are refused (docs/security.md, path 10)', () => {
    const oidc = (config: object) => ({ login: { connectors: [{ type: 'oidc', id: 'corp', name: 'Corp', secret: { name: 'corp', key: 'k' }, config: { issuer: 'https://id.example', ...config } }] } });
    const UNVERIFIED = 'must not be set (remove it): Dex would vouch for emails the upstream provider never verified, so anyone who puts another user\'s address on an upstream account logs in as that user';
    const OTHER_CLAIM = 'must not be set (remove it): Dex would take the email from another claim while `email_verified` still speaks of the `email` claim, so anyone who can set that other claim upstream picks the email they log in as';

    test('insecureSkipEmailVerified: true, at the top and at any depth, with the field path named', () => {
      expect(problems(oidc({ insecureSkipEmailVerified: true }))).toEqual([`login.connectors.0.config.insecureSkipEmailVerified: ${UNVERIFIED}`]);
      expect(problems(oidc({ extra: [{ deeper: { insecureSkipEmailVerified: 'yes' } }] })))
        .toEqual([`login.connectors.0.config.extra.0.deeper.insecureSkipEmailVerified: ${UNVERIFIED}`]);
    });

    test('claimMapping.email naming another claim; in an LDAP connector too', () => {
      expect(problems(oidc({ claimMapping: { email: 'preferred_email' }, overrideClaimMapping: true })))
        .toEqual([`login.connectors.0.config.claimMapping.email: ${OTHER_CLAIM}`]);
      expect(problems({ login: { connectors: [{ type: 'ldap', id: 'ldap', name: 'LDAP', config: { insecureSkipEmailVerified: true, claimMapping: { email: 'x' } } }] } }))
        .toEqual([`login.connectors.0.config.insecureSkipEmailVerified: ${UNVERIFIED}`, `login.connectors.0.config.claimMapping.email: ${OTHER_CLAIM}`]);
    });

    test('the harmless neighbours pass: the setting off, email mapped to itself, other claims mapped, groups on', () => {
      expect(problems(oidc({ insecureSkipEmailVerified: false }))).toEqual([]);
      expect(problems(oidc({ claimMapping: { email: 'email', preferred_username: 'upn', groups: 'roles' }, insecureEnableGroups: true }))).toEqual([]);
      expect(problems(oidc({ email: 'x', mapping: { email: 'y' } }))).toEqual([]);
    });
  });
});
