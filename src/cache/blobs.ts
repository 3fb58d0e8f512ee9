import { rm, stat, utimes } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sha256File, sha256Hex } from '../library/hash.js';
import type { ContentStore } from './store.js';

/**
 * A blob whose mtime is this exact value was verified by capmedia and not
 * written since: any write moves the mtime, so only then is it hashed again.
 * 1980-01-01 is also what FAT can store, so media built from the cache show a
 * sane date.
 */
export const VERIFIED_MTIME = 315_532_800;

export async function markVerified(store: ContentStore, sha256: string): Promise<void> {
  await utimes(store.path(sha256), VERIFIED_MTIME, VERIFIED_MTIME);
}

/**
 * Whether the cached blob can be used as is. A blob changed since it was
 * verified is hashed; a damaged one is removed so the caller fetches it again.
 */
export async function isTrusted(store: ContentStore, sha256: string, size: number): Promise<boolean> {
  const path = store.path(sha256);
  const info = await stat(path).catch(() => undefined);
  if (!info) return false;
  if (info.size === size && info.mtimeMs === VERIFIED_MTIME * 1000) return true;
  const actual = info.size === size ? (await sha256File(path)).sha256 : undefined;
  if (actual === sha256) {
    await markVerified(store, sha256);
    return true;
  }
  await rm(path, { force: true });
  return false;
}

/** Stores bytes capmedia generated (task sequence files) in the same store as fetched content. */
export async function storeBytes(store: ContentStore, bytes: Buffer): Promise<{ sha256: string; size: number }> {
  const sha256 = sha256Hex(bytes);
  await store.ingest(sha256, bytes.length, async () => Readable.from([bytes]), 'generated file');
  await markVerified(store, sha256);
  return { sha256, size: bytes.length };
}
