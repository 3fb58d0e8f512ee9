import { assertLockMatches, configPackageIds } from '../lock/diff.js';
import { describeLockChanges, formatLockChange } from '../lock/entries.js';
import { readLock, serializeLock, writeLock } from '../lock/lockfile.js';
import type { BuildContext } from './context.js';

/** Reads capmedia.lock before resolving; --locked insists it exists and matches the config (exit 2 otherwise). */
export async function loadLock(ctx: BuildContext): Promise<void> {
  ctx.lock = await readLock(ctx.lockPath);
  if (ctx.options.locked) assertLockMatches(ctx.lock, configPackageIds(ctx.config), ctx.lockPath);
}

/**
 * After resolving, like `cargo build`: the lock is written when absent, and
 * follows packages added to or removed from the config, saying so. A pinned
 * version never moves here (only `capmedia update` does that), and --locked
 * or plan never write.
 */
export async function settleLock(ctx: BuildContext): Promise<string | undefined> {
  const next = ctx.resolved!.lock;
  if (ctx.options.locked || ctx.options.readOnly) return undefined;
  if (ctx.lock && serializeLock(ctx.lock) === serializeLock(next)) return undefined;
  await writeLock(ctx.lockPath, next);
  const changes = describeLockChanges(ctx.lock, next).map(formatLockChange);
  const message = ctx.lock
    ? `${ctx.lockPath} follows the config: ${changes.join(', ') || 'rewritten in its canonical form'}`
    : `${ctx.lockPath} written (${Object.keys(next.packages).length} package(s)): review and commit it`;
  ctx.notices.push(message);
  ctx.lock = next;
  return message;
}
