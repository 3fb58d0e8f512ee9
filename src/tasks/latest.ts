import type { VersionedManifest } from '../library/versions.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { BuildContext } from './context.js';
import { preferredOrder, readFromFirstDp } from './packages.js';

export type Latest = VersionedManifest & { dp: DistributionPoint };

/**
 * What an unlocked build would resolve for each package now: the boot image
 * from bootImage.distributionPoint first (R14), everything else in config order.
 */
export async function latestVersions(ctx: BuildContext, ids: readonly string[]): Promise<Map<string, Latest>> {
  const found = new Map<string, Latest>();
  for (const id of ids) {
    const { dps } = ctx.services;
    const from = id === ctx.config.bootImage.package ? preferredOrder(ctx.config, dps) : dps;
    found.set(id, await readFromFirstDp(from, id));
  }
  return found;
}

export async function closeDistributionPoints(ctx: BuildContext): Promise<void> {
  await Promise.all(ctx.services.dps.map((dp) => dp.close?.()));
}
