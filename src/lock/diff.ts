import { fail } from '../errors/index.js';
import type { LockFile } from './lockfile.js';

/** The packages a config's media carry: the boot image, then `content`. */
export function configPackageIds(config: { bootImage: { package: string }; content: readonly string[] }): string[] {
  return [...new Set([config.bootImage.package, ...config.content])];
}

export interface LockDifference {
  id: string;
  problem: 'not in the lock' | 'not in the config';
}

/** Where the lock's set of packages and the config's differ, sorted by package id. */
export function lockDifferences(lock: LockFile, ids: readonly string[]): LockDifference[] {
  const locked = Object.keys(lock.packages);
  return [
    ...ids.filter((id) => !(id in lock.packages)).map((id) => ({ id, problem: 'not in the lock' as const })),
    ...locked.filter((id) => !ids.includes(id)).map((id) => ({ id, problem: 'not in the config' as const })),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** build --locked: the lock must exist and list exactly the config's packages; nothing is written either way. */
export function assertLockMatches(lock: LockFile | undefined, ids: readonly string[], path: string): LockFile {
  if (!lock) {
    throw fail('lockMissing', { path });
  }
  const differences = lockDifferences(lock, ids);
  if (differences.length) {
    const lines = differences.map((d) =>
      d.problem === 'not in the lock' ? `  ${d.id}: in the config, not in ${path}` : `  ${d.id}: in ${path}, not in the config`,
    );
    throw fail('lockMismatch', { path, lines: lines.join('\n') });
  }
  return lock;
}
