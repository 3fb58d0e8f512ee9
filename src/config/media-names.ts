import { fail } from '../errors/index.js';
import type { NormalizedConfig } from './normalize.js';

/** Media names given on the command line (build, plan) must all be in the config: a typo builds or plans nothing otherwise. */
export function requireMediaNames(config: NormalizedConfig, names?: readonly string[]): void {
  const unknown = (names ?? []).filter((name) => !config.media.some((m) => m.name === name));
  if (unknown.length) {
    throw fail('mediaNameUnknown', {
      unknown: unknown.map((n) => JSON.stringify(n)).join(', '),
      media: config.media.map((m) => m.name).join(', '),
    });
  }
}
