import { z } from 'zod';

/**
 * Kubernetes quantities, checked with the same grammar the API server uses for the forms people
 * actually write. Rejecting "4 GB" here beats an API server error at apply time.
 */
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

export const cpuQuantity = z
  .string({ error: 'expected a CPU quantity string such as "250m" or "2"' })
  .regex(CPU, { error: (iss) => `expected a CPU quantity such as "250m" or "2", got ${JSON.stringify(iss.input)}` });

export const memoryQuantity = z
  .string({ error: 'expected a memory quantity string such as "512Mi" or "4Gi"' })
  .regex(MEMORY, {
    error: (iss) => `expected a memory quantity such as "512Mi" or "4Gi" (binary suffixes Ki/Mi/Gi/Ti), got ${JSON.stringify(iss.input)}`,
  });

/** Parses a CPU quantity into millicores (for comparisons and the bench table). */
export function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

const MEMORY_FACTORS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
};

/** Parses a memory quantity into bytes. */
export function memoryBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q);
  if (!m || !(m[2] in MEMORY_FACTORS)) throw new Error(`not a memory quantity: ${q}`);
  return Number(m[1]) * MEMORY_FACTORS[m[2]];
}

/** A CPU quantity times a factor, rounded up to whole millicores (limits from requests). */
export function scaleCpu(q: string, factor: number): string {
  return `${Math.ceil(cpuMillis(q) * factor)}m`;
}

/** A memory quantity times a factor, rounded up to whole MiB. */
export function scaleMemory(q: string, factor: number): string {
  return `${Math.ceil((memoryBytes(q) * factor) / 2 ** 20)}Mi`;
}
