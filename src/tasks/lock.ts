import { assertLockMatches, configPackageIds } from '../lock/diff.js';
import { describeLockChanges, formatLockChange } from '../lock/entries.js';
import { readLock, serializeLock, writeLock, type LockFile } from '../lock/lockfile.js';
import type { BuildContext } from './context.js';
import type { Resolved } from './results.js';

/** Reads capmedia.lock before resolving; --locked insists it exists and matches the config (exit 2 otherwise). */
export async function loadLock(ctx: BuildContext): Promise<LockFile | undefined> {
  const lock = await readLock(ctx.lockPath);
  if (ctx.options.locked) assertLockMatches(lock, configPackageIds(ctx.config), ctx.lockPath);
  return lock;
}

/**
 * After resolving, like `cargo build`: the lock is written when absent, and
 * follows packages added to or removed from the config, saying so. A pinned
 * version never moves here (only `capmedia update` does that), and --locked
 * or plan never write. Returns what it told the user, if anything.
 */
export async function settleLock(ctx: BuildContext, previous: LockFile | undefined, resolved: Resolved): Promise<string | undefined> {
  const next = resolved.lock;
  if (ctx.options.locked || ctx.options.readOnly) return undefined;
  if (previous && serializeLock(previous) === serializeLock(next)) return undefined;
  await writeLock(ctx.lockPath, next);
  const changes = describeLockChanges(previous, next).map(formatLockChange);
  const message = previous
    ? `${ctx.lockPath} follows the config: ${changes.join(', ') || 'rewritten in its canonical form'}`
    : `${ctx.lockPath} written (${Object.keys(next.packages).length} package(s)): review and commit it`;
  ctx.services.notices.push(message);
  return message;
}
