import { DEPLOY_HINT_ANNOTATIONS } from '../platform/names';
import type { Manifest } from './phases';

/** What the deploy prints at the end, read from the annotations components put on their objects. */
export interface DeployHints {
  readonly loginUrl?: string;
  readonly passwordCommand?: string;
}

export function deployHints(objects: Manifest[]): DeployHints {
  const hints: { loginUrl?: string; passwordCommand?: string } = {};
  for (const o of objects) {
    const a = (o.metadata.annotations ?? {}) as Record<string, string>;
    hints.loginUrl ??= a[DEPLOY_HINT_ANNOTATIONS.loginUrl];
    hints.passwordCommand ??= a[DEPLOY_HINT_ANNOTATIONS.passwordCommand];
  }
  return hints;
}

export function formatHints(h: DeployHints): string {
  if (!h.loginUrl) {
    return 'login: this stack has no login component yet (when it does, its objects carry the '
      + `${DEPLOY_HINT_ANNOTATIONS.loginUrl} and ${DEPLOY_HINT_ANNOTATIONS.passwordCommand} annotations and they are printed here)`;
  }
  return [`log in at ${h.loginUrl}`, ...(h.passwordCommand ? [`your generated password: ${h.passwordCommand}`] : [])].join('\n');
}
