/** `npm run docs`: regenerates docs/ (configuration reference, architecture diagram) from the code. */
import * as fs from 'fs';
import * as path from 'path';
import { generatedDocs } from '../lib/docs';

const ROOT = path.resolve(__dirname, '..', '..');

export function main(say: (line: string) => void = console.log): void {
  for (const [file, text] of Object.entries(generatedDocs(ROOT))) {
    fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
    fs.writeFileSync(path.join(ROOT, file), text);
    say(`microflow: wrote ${file}`);
  }
}

if (require.main === module) main();
