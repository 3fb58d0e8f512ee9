import { lockDigest, type LockFile } from './lockfile.js';
import { MEDIA_PATHS } from '../media-paths.js';

/** On the media, beside the task sequence: what content this medium carries. */
export const MEDIA_CONTENT_JSON = MEDIA_PATHS.mediaContent;

/** What media say they carry: the lock's digest and every package's id, version and manifest sha256. */
export interface MediaContent {
  lockfileVersion: number;
  lockDigest: string;
  packages: Array<{ id: string; version: string; kind: string; manifestSha256: string }>;
}

export function mediaContent(lock: LockFile): MediaContent {
  return {
    lockfileVersion: lock.lockfileVersion,
    lockDigest: lockDigest(lock),
    packages: Object.entries(lock.packages)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, entry]) => ({ id, version: entry.version, kind: entry.kind, manifestSha256: entry.manifestSha256 })),
  };
}

export function mediaContentText(lock: LockFile): string {
  return `${JSON.stringify(mediaContent(lock), null, 2)}\n`;
}

/** The record as read back from media; undefined when absent or not one (media built before it existed). */
export function parseMediaContent(text: string | undefined): MediaContent | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<MediaContent>;
    return typeof value.lockDigest === 'string' && Array.isArray(value.packages) ? (value as MediaContent) : undefined;
  } catch {
    return undefined;
  }
}
