import { CapmediaError, fail, failWithCodeOf } from '../errors/index.js';
import { readPinned, type VersionedManifest } from '../library/versions.js';
import type { DistributionPoint, PackageCheck } from '../plugins/dp/types.js';
import { checkFromError } from '../plugins/dp/check.js';
import { LOCK_FILE, type LockEntry } from './lockfile.js';

/**
 * The manifest the lock pins, from the first distribution point that has
 * it, its bytes checked against the pinned sha256. A version no DP has any
 * more fails naming the package, the version, the lock file (`lockName`:
 * site-a.lock for site-a.config.ts) and every DP asked.
 */
export async function readPinnedFromAnyDp(
  dps: readonly DistributionPoint[],
  id: string,
  pin: LockEntry,
  lockName: string = LOCK_FILE,
): Promise<VersionedManifest> {
  const failures: string[] = [];
  const errors: CapmediaError[] = [];
  for (const dp of dps) {
    try {
      const found = await readPinned(dp, id, pin.manifestSha256);
      if (found) return checkAgainstLock(found, id, pin, lockName);
      failures.push(`  ${dp.name} (${dp.displayUrl}): does not have it`);
    } catch (error) {
      if (!(error instanceof CapmediaError)) throw error;
      if (error.code === 'LOCK_INVALID') throw error;
      failures.push(`  ${dp.name}: ${error.message}`);
      errors.push(error);
    }
  }
  const facts = { id, version: pin.version, manifestSha256: pin.manifestSha256, lockName, failures };
  if (errors.length === 0) throw fail('pinnedVersionGone', facts);
  // Some DP could not answer (permission, network): the version may still be there, and the DPs' code (retryable or not) stands.
  throw failWithCodeOf(errors[0], 'pinnedVersionUnreadable', facts);
}

function checkAgainstLock(found: VersionedManifest, id: string, pin: LockEntry, lockName: string): VersionedManifest {
  if (found.manifest.version !== pin.version || found.manifest.kind !== pin.kind) {
    throw fail('lockPinMismatch', {
      lockName,
      id,
      kind: pin.kind,
      version: pin.version,
      pinnedKind: found.manifest.kind,
      pinnedVersion: found.manifest.version,
    });
  }
  return found;
}

/** verify distribution for a pinned package: this DP has the pinned manifest and every blob it names. */
export async function checkPinnedPackage(
  dp: DistributionPoint,
  id: string,
  pin: { version: string; sha256: string },
): Promise<PackageCheck> {
  let found: VersionedManifest | undefined;
  try {
    found = await readPinned(dp, id, pin.sha256);
  } catch (error) {
    return checkFromError(error);
  }
  if (!found)
    return { status: 'missing', reason: `version ${pin.version} (manifest ${pin.sha256.slice(0, 12)}…) of ${id} is not on ${dp.name}` };
  return dp.checkPackage(id, found.manifest);
}
