import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomically } from '../../fs/atomic.js';

/** What the caches did for one build: `build --json` carries it, `capmedia cache stats` shows the last one. */
export interface CacheStats {
  /** Step records found (hits) or not (misses) in the local cache. */
  local: { hits: number; misses: number };
  remote?: RemoteStats;
}

export interface RemoteStats {
  /** The cache URL, without credentials. */
  url: string;
  write: boolean;
  /** Action records found and trusted. */
  hits: number;
  misses: number;
  /** Records (unsigned, badly signed) and blobs (not matching their name) that were refused. */
  ignored: number;
  blobsDown: number;
  bytesDown: number;
  blobsUp: number;
  bytesUp: number;
  recordsUp: number;
  /** Set when the remote could not be reached: the build went on locally. */
  unreachable?: boolean;
}

export function emptyStats(): CacheStats {
  return { local: { hits: 0, misses: 0 } };
}

function statsFile(cacheDir: string): string {
  return join(cacheDir, 'last-build-stats.json');
}

export async function saveStats(cacheDir: string, stats: CacheStats): Promise<void> {
  await writeJsonAtomically(statsFile(cacheDir), { finishedAt: new Date().toISOString(), ...stats });
}

export async function loadStats(cacheDir: string): Promise<(CacheStats & { finishedAt: string }) | undefined> {
  try {
    return JSON.parse(await readFile(statsFile(cacheDir), 'utf8')) as CacheStats & { finishedAt: string };
  } catch {
    return undefined;
  }
}
