import type { VersionedManifest } from '../library/versions.js';
import { LOCKFILE_VERSION, lockEntry, type LockFile } from './lockfile.js';

/** The lock that records exactly these resolved packages. */
export function lockOf(found: ReadonlyMap<string, VersionedManifest>): LockFile {
  const packages: LockFile['packages'] = {};
  for (const [id, { manifest, sha256 }] of found) packages[id] = lockEntry(manifest, sha256);
  return { lockfileVersion: LOCKFILE_VERSION, packages };
}

/** One line per package whose pin moves: "CM100007 1.0 → 2.0"; a republished version shows its manifest hashes. */
export function describeLockChanges(before: LockFile | undefined, after: LockFile): LockChange[] {
  const ids = [...new Set([...Object.keys(before?.packages ?? {}), ...Object.keys(after.packages)])].sort();
  const changes: LockChange[] = [];
  for (const id of ids) {
    const from = before?.packages[id];
    const to = after.packages[id];
    if (from?.manifestSha256 === to?.manifestSha256) continue;
    changes.push({
      id,
      from: from && { version: from.version, manifestSha256: from.manifestSha256 },
      to: to && { version: to.version, manifestSha256: to.manifestSha256 },
    });
  }
  return changes;
}

export interface LockChange {
  id: string;
  /** Absent: the package is new to the lock. */
  from?: { version: string; manifestSha256: string };
  /** Absent: the package left the lock. */
  to?: { version: string; manifestSha256: string };
}

export function formatLockChange(change: LockChange): string {
  const show = (v?: { version: string; manifestSha256: string }) => (v ? v.version : '(none)');
  const republished = change.from && change.to && change.from.version === change.to.version;
  const detail = republished
    ? ` (republished: manifest ${change.from!.manifestSha256.slice(0, 12)} → ${change.to!.manifestSha256.slice(0, 12)})`
    : '';
  return `${change.id} ${show(change.from)} → ${show(change.to)}${detail}`;
}
