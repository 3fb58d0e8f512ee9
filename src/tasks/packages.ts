import { CapmediaError, fail } from '../errors/index.js';
import type { NormalizedConfig } from '../config/normalize.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import { readLatest, type VersionedManifest } from '../library/versions.js';

/** bootImage.distributionPoint first (R14), then config order. */
export function preferredOrder(config: NormalizedConfig, dps: readonly DistributionPoint[]): DistributionPoint[] {
  const wanted = config.bootImage.distributionPoint;
  return [...dps].sort((a, b) => Number(b.name === wanted) - Number(a.name === wanted));
}

/** The latest manifest of a package from the first distribution point that has it (an unlocked build's choice). */
export async function readFromFirstDp(
  dps: readonly DistributionPoint[],
  id: string,
): Promise<VersionedManifest & { dp: DistributionPoint }> {
  const failures: string[] = [];
  const codes: CapmediaError['code'][] = [];
  for (const dp of dps) {
    try {
      return { ...(await readLatest(dp, id)), dp };
    } catch (error) {
      if (!(error instanceof CapmediaError)) throw error;
      failures.push(`  ${dp.name}: ${error.message}`);
      codes.push(error.code);
    }
  }
  const missingEverywhere = codes.every((code) => code === 'PACKAGE_NOT_FOUND');
  if (missingEverywhere) throw fail('packageOnNoDp', { id, failures });
  throw fail('packageUnreadable', { id, failures, codes });
}
