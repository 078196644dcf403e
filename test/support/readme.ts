/**
 * The shell blocks of the README and of the hand-written pages of docs/, each with the marker that says
 * where it runs (see README, "Quick start").
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './stack';

export interface ReadmeBlock {
  /** `unit` (npm test), `cluster` (the control-plane suite) or `not-here`. */
  readonly where: 'unit' | 'cluster' | 'not-here' | 'unmarked';
  /** Why a not-here block cannot run here. */
  readonly reason?: string;
  /** The file, relative to the repository: `README.md` or `docs/<page>.md`. */
  readonly file: string;
  readonly line: number;
  readonly script: string;
}

/** README.md and every page of docs/ (the generated ones have no shell block, so they pass too). */
export function documentationFiles(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map((f) => path.join('docs', f))];
}

/** Every shell block of every documentation file. */
export function documentationBlocks(): ReadmeBlock[] {
  return documentationFiles().flatMap((f) => readmeBlocks(path.join(ROOT, f)));
}

export function readmeBlocks(file = path.join(ROOT, 'README.md')): ReadmeBlock[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    const marker = /<!--\s*(run:\s*(unit|cluster)|not-here:\s*(.+?))\s*-->/.exec(lines[i - 1] ?? '');
    const where = marker ? (marker[2] as 'unit' | 'cluster' | undefined) ?? 'not-here' : 'unmarked';
    blocks.push({ where, reason: marker?.[3], file: path.relative(ROOT, file), line: i + 1, script: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}
