import { loadConfig } from '../config/load.js';
import { fail } from '../errors/index.js';
import { configPackageIds } from '../lock/diff.js';
import { describeLockChanges, formatLockChange } from '../lock/entries.js';
import { LOCKFILE_VERSION, lockEntry, readLock, serializeLock, writeLock, type LockFile } from '../lock/lockfile.js';
import { createBuildContext } from '../tasks/context.js';
import { closeDistributionPoints, latestVersions } from '../tasks/latest.js';
import { exec } from '../tools/exec.js';
import type { CommonArgs } from './common.js';
import type { Printer } from './output.js';

/**
 * `capmedia update [ID...]`: pins the latest versions of the named packages
 * (all when none are named) and brings the lock in line with the config
 * (new packages pinned at their latest, removed ones dropped). The lock is
 * replaced by rename only once every package resolved.
 */
export async function updateCommand(args: CommonArgs & { packages?: string[]; dryRun?: boolean }, printer: Printer): Promise<void> {
  const { config } = await loadConfig({ cwd: args.cwd, configFile: args.config });
  const ids = configPackageIds(config);
  const named = args.packages ?? [];
  const unknown = named.filter((id) => !ids.includes(id));
  if (unknown.length) {
    throw fail('updateUnknownPackage', { unknown, ids });
  }
  const ctx = createBuildContext(config, { exec, readOnly: true });
  try {
    const before = await readLock(ctx.lockPath);
    const moving = ids.filter((id) => named.length === 0 || named.includes(id) || !before?.packages[id]);
    const latest = await latestVersions(ctx, moving);
    const after: LockFile = { lockfileVersion: LOCKFILE_VERSION, packages: {} };
    for (const id of ids) {
      const now = latest.get(id);
      after.packages[id] = now ? lockEntry(now.manifest, now.sha256) : before!.packages[id];
    }
    const changes = describeLockChanges(before, after);
    const write = !args.dryRun && (!before || serializeLock(before) !== serializeLock(after));
    if (write) await writeLock(ctx.lockPath, after);
    printer.result({ lock: ctx.lockPath, written: write, dryRun: Boolean(args.dryRun), changes }, () =>
      [
        ...changes.map(formatLockChange),
        changes.length === 0
          ? `${ctx.lockPath}: every package already pinned at its latest version`
          : args.dryRun
            ? `(dry run: ${ctx.lockPath} not changed)`
            : `${ctx.lockPath} updated: review the change, build, and commit it`,
      ].join('\n'),
    );
  } finally {
    await closeDistributionPoints(ctx);
  }
}
