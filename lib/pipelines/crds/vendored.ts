import * as fs from 'fs';
import * as path from 'path';

/**
 * A file of the repository, found from here whether this runs compiled (build/lib/…) or under
 * ts-jest (lib/…): the nearest ancestor folder holding package.json is the repository root.
 */
export function repoFile(...parts: string[]): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, ...parts);
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
  }
}
