import * as fs from 'fs';
import * as yaml from 'js-yaml';
import { z } from 'zod';
import { PROFILE_DEFAULTS } from './profiles';
import { configSchema, PROFILES, type Config, type Profile } from './schema';

/** A configuration that cannot be used; `problems` name each field path and what was expected. */
export class ConfigError extends Error {
  constructor(public readonly source: string, public readonly problems: string[]) {
    super(`invalid microflow configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What a user may write: any part of a Config; the rest comes from the profile. Users may be plain emails. */
export type ConfigInput = {
  [K in Exclude<keyof Config, 'users'>]?: Config[K] extends object ? Partial<Config[K]> | Config[K] : Config[K];
} & { users?: (string | Config['users'][number])[] };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Overlays `override` on `base`. Objects merge key by key; anything else (lists included) replaces.
 * Keys unknown to the schema survive the merge on purpose, so the strict schema reports them.
 */
function overlay(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = overlay(base[k], v);
  return out;
}

/**
 * Keys an earlier microflow accepted, with why they went and what to do: a file that still has one
 * fails naming it, rather than with "unknown key".
 */
const REMOVED_KEYS: Record<string, string> = {
  'gateway.httpsRedirect': 'replaced by gateway.plainHttp: HTTPS is the default (the HTTP port redirects to it, the session cookie is Secure, HTTPS responses carry HSTS; docs/security.md, path 7). Delete the line, or set gateway.plainHttp: true to serve plain HTTP, where passwords and session cookies cross the network in clear',
  'pipelines.mode': 'removed: Pipelines always runs multi-user, each user\'s runs in their own namespace (one user is one namespace); single-user runs executed in `kubeflow`, where a run could borrow the platform\'s ServiceAccounts, Secrets and labels (docs/security.md, path 3). Delete the line',
};

function removedKeys(input: Record<string, unknown>): string[] {
  return Object.entries(REMOVED_KEYS).flatMap(([key, why]) => {
    const [section, name] = key.split('.');
    const parent = input[section];
    return isPlainObject(parent) && name in parent ? [`${key}: ${why}`] : [];
  });
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${path}: ` : '';
    return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see README "Configuration")`;
  }
  return `${path}: ${issue.message}`;
}

/** Validates a configuration object (as a library user passes it) against its profile's defaults. */
export function resolveConfig(typed: ConfigInput = {}, source = 'configuration object'): Config {
  // Typed for library users; checked at run time for YAML (and for callers that cast).
  const input: unknown = typed ?? {};
  if (!isPlainObject(input)) throw new ConfigError(source, ['(top level): expected a mapping of configuration keys']);
  const profile = (input.profile ?? 'laptop') as Profile;
  if (!PROFILES.includes(profile)) {
    throw new ConfigError(source, [`profile: expected one of ${PROFILES.map((p) => `"${p}"`).join(', ')}, got ${JSON.stringify(input.profile)}`]);
  }
  const removed = removedKeys(input);
  if (removed.length) throw new ConfigError(source, removed);
  const result = configSchema.safeParse(overlay(PROFILE_DEFAULTS[profile], input));
  if (!result.success) throw new ConfigError(source, result.error.issues.map(describe));
  return result.data;
}

/** Reads and validates a YAML configuration file. */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  let documents: unknown[];
  try {
    // loadAll: an empty (or comment-only) file is no document at all, which js-yaml's load refuses.
    documents = yaml.loadAll(text, null, { filename: file });
  } catch (e) {
    throw new ConfigError(file, [`not valid YAML: ${(e as Error).message}`]);
  }
  if (documents.length > 1) throw new ConfigError(file, [`expected one YAML document, found ${documents.length}`]);
  return resolveConfig((documents[0] ?? {}) as ConfigInput, file);
}
