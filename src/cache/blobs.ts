import { statSync, type Stats } from 'node:fs';
import { rm, utimes } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sha256File, sha256Hex } from '../library/hash.js';
import type { ContentStore } from './store.js';
import { VERIFIED_MTIME } from './verified.js';

export { VERIFIED_MTIME } from './verified.js';

export async function markVerified(store: ContentStore, sha256: string): Promise<void> {
  await utimes(store.path(sha256), VERIFIED_MTIME, VERIFIED_MTIME);
}

/**
 * Whether the cached blob can be used as is. The common case is a synchronous
 * stat (a few µs, where an awaited one costs ~30 µs of this thread, thousands
 * of times a build); only a blob changed since it was verified is hashed, and
 * a damaged one is removed so the caller fetches it again.
 */
export async function isTrusted(store: ContentStore, sha256: string, size: number): Promise<boolean> {
  const path = store.path(sha256);
  const info = statNow(path);
  if (!info) return false;
  if (isVerified(info, size)) return true;
  const actual = info.size === size ? (await sha256File(path)).sha256 : undefined;
  if (actual === sha256) {
    await markVerified(store, sha256);
    return true;
  }
  await rm(path, { force: true });
  return false;
}

/**
 * The common case of `isTrusted` without a promise: a blob verified and
 * unchanged since. False means "not known now", for `isTrusted` to settle.
 */
export function trustedNow(store: ContentStore, sha256: string, size: number): boolean {
  const info = statNow(store.path(sha256));
  return info !== undefined && isVerified(info, size);
}

const isVerified = (info: Stats, size: number): boolean => info.size === size && info.mtimeMs === VERIFIED_MTIME * 1000;

function statNow(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Stores bytes capmedia generated (task sequence files) in the same store as fetched content. */
export async function storeBytes(store: ContentStore, bytes: Buffer): Promise<{ sha256: string; size: number }> {
  const sha256 = sha256Hex(bytes);
  await store.ingest(sha256, bytes.length, async () => Readable.from([bytes]), 'generated file');
  await markVerified(store, sha256);
  return { sha256, size: bytes.length };
}
