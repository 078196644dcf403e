import { z } from 'zod';

/**
 * Field validators more than one part of the configuration schema uses (schema.ts, users.ts,
 * notebooks-schema.ts), kept here once so a tightened rule applies to every field that relies on it.
 */

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const count = (what: string) =>
  z.number({ error: `expected ${what} as a whole number` }).int({ error: `expected ${what} as a whole number` })
    .min(0, { error: `expected ${what} to be 0 or more` });
