import * as path from 'path';
import { resolveConfig } from '../config';
import { architectureDiagram } from './architecture';
import { configurationReference } from './config-reference';

export { architectureDiagram } from './architecture';
export { configurationReference } from './config-reference';

/** The command that regenerates the committed docs (named by the drift test when they differ). */
export const DOCS_COMMAND = 'npm run docs';

/** Every generated document, by path relative to the repository root. */
export function generatedDocs(root: string): Record<string, string> {
  return {
    [path.join('docs', 'configuration.md')]: configurationReference(root),
    [path.join('docs', 'architecture.md')]: architectureDiagram(resolveConfig({}, 'built-in laptop profile')),
  };
}
