/** The README's shell blocks with the marker that says where each one runs (see README, "Quick start"). */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './stack';

export interface ReadmeBlock {
  /** `unit` (npm test), `cluster` (the control-plane suite) or `not-here`. */
  readonly where: 'unit' | 'cluster' | 'not-here' | 'unmarked';
  /** Why a not-here block cannot run here. */
  readonly reason?: string;
  readonly line: number;
  readonly script: string;
}

export function readmeBlocks(file = path.join(ROOT, 'README.md')): ReadmeBlock[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    const marker = /<!--\s*(run:\s*(unit|cluster)|not-here:\s*(.+?))\s*-->/.exec(lines[i - 1] ?? '');
    const where = marker ? (marker[2] as 'unit' | 'cluster' | undefined) ?? 'not-here' : 'unmarked';
    blocks.push({ where, reason: marker?.[3], line: i + 1, script: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}
