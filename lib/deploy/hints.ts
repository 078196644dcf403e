import { DEPLOY_HINT_ANNOTATIONS } from '../platform/names';
import type { Manifest } from './phases';

/** What the deploy prints at the end, read from the annotations components put on their objects. */
export interface DeployHints {
  readonly loginUrl?: string;
  readonly passwordCommand?: string;
  /** Risks the rendered configuration opted into, each once. */
  readonly warnings: readonly string[];
}

export function deployHints(objects: Manifest[]): DeployHints {
  const hints: { loginUrl?: string; passwordCommand?: string } = {};
  const warnings = new Set<string>();
  for (const o of objects) {
    const a = (o.metadata.annotations ?? {}) as Record<string, string>;
    hints.loginUrl ??= a[DEPLOY_HINT_ANNOTATIONS.loginUrl];
    hints.passwordCommand ??= a[DEPLOY_HINT_ANNOTATIONS.passwordCommand];
    if (a[DEPLOY_HINT_ANNOTATIONS.warning]) warnings.add(a[DEPLOY_HINT_ANNOTATIONS.warning]);
  }
  return { ...hints, warnings: [...warnings] };
}

/** One "warning: ..." line per risk, or nothing. */
export function formatWarnings(h: Pick<DeployHints, 'warnings'>): string[] {
  return h.warnings.map((w) => `warning: ${w}`);
}

export function formatHints(h: Omit<DeployHints, 'warnings'> & Partial<Pick<DeployHints, 'warnings'>>): string {
  const warnings = formatWarnings({ warnings: h.warnings ?? [] });
  if (!h.loginUrl) {
    return [...warnings, 'login: this stack has no login component yet (when it does, its objects carry the '
      + `${DEPLOY_HINT_ANNOTATIONS.loginUrl} and ${DEPLOY_HINT_ANNOTATIONS.passwordCommand} annotations and they are printed here)`].join('\n');
  }
  return [...warnings, `log in at ${h.loginUrl}`, ...(h.passwordCommand ? [`your generated password: ${h.passwordCommand}`] : [])].join('\n');
}
