import { loadConfig } from '../config/load.js';
import { configPackageIds } from '../lock/diff.js';
import { readLock } from '../lock/lockfile.js';
import { createBuildContext } from '../tasks/context.js';
import { closeDistributionPoints, latestVersions } from '../tasks/latest.js';
import { exec } from '../tools/exec.js';
import type { CommonArgs } from './common.js';
import type { Outcome } from './outcome.js';
import type { Printer } from './output.js';

export interface OutdatedPackage {
  id: string;
  /** null: the package is in the config but not in capmedia.lock yet. */
  locked: { version: string; manifestSha256: string } | null;
  latest: { version: string; manifestSha256: string; distributionPoint: string };
  outdated: boolean;
}

/** `capmedia outdated`: for each package of the config, the locked version against the latest a distribution point offers. */
export async function outdatedCommand(args: CommonArgs & { detailedExitcode?: boolean }, printer: Printer): Promise<Outcome> {
  const { config } = await loadConfig({ cwd: args.cwd, configFile: args.config });
  const ctx = createBuildContext(config, { exec, readOnly: true });
  try {
    const lock = await readLock(ctx.lockPath);
    const ids = configPackageIds(config);
    const latest = await latestVersions(ctx, ids);
    const packages: OutdatedPackage[] = ids.map((id) => {
      const pin = lock?.packages[id];
      const now = latest.get(id)!;
      return {
        id,
        locked: pin ? { version: pin.version, manifestSha256: pin.manifestSha256 } : null,
        latest: { version: now.manifest.version, manifestSha256: now.sha256, distributionPoint: now.dp.name },
        outdated: pin?.manifestSha256 !== now.sha256,
      };
    });
    const outdated = packages.some((p) => p.outdated);
    printer.result({ lock: ctx.lockPath, outdated, packages }, () => table(packages, outdated));
    return args.detailedExitcode && outdated ? 'changes' : 'ok';
  } finally {
    await closeDistributionPoints(ctx);
  }
}

function table(packages: OutdatedPackage[], outdated: boolean): string {
  const rows = [['id', 'locked', 'latest', 'DP'], ...packages.map((p) => [p.id, lockedText(p), latestText(p), p.latest.distributionPoint])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  lines.push(
    '',
    outdated ? 'run `capmedia update` (or `capmedia update <ID>`) to move the lock' : 'capmedia.lock pins the latest of every package',
  );
  return lines.join('\n');
}

function lockedText(p: OutdatedPackage): string {
  return p.locked ? p.locked.version : '(not locked)';
}

/** A republished version (same version string, other manifest) shows its hash so the change is visible. */
function latestText(p: OutdatedPackage): string {
  if (!p.outdated) return `${p.latest.version} (up to date)`;
  const same = p.locked?.version === p.latest.version;
  return same ? `${p.latest.version} (republished, manifest ${p.latest.manifestSha256.slice(0, 12)})` : p.latest.version;
}
