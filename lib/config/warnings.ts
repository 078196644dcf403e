import type { Config } from './schema';

/** The one text of the plain-HTTP warning: synth prints it, the deploy reads it from the render. */
export const PLAIN_HTTP_WARNING = 'gateway.plainHttp is true: the platform answers on plain HTTP (no redirect to HTTPS, '
  + 'session cookie without Secure, no HSTS), so anyone on the network path can read users\' passwords, session '
  + 'cookies and tokens sent over HTTP and act as those users (docs/security.md, path 7)';

/** Settings that are valid but weaken the platform, one line each, for `npm run synth` and `deploy` to print. */
export function configWarnings(config: Config): string[] {
  return config.gateway.plainHttp ? [PLAIN_HTTP_WARNING] : [];
}
