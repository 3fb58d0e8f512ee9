import { CapmediaError } from '../errors/index.js';
import { readPinned, type VersionedManifest } from '../library/versions.js';
import type { DistributionPoint, PackageCheck } from '../plugins/dp/types.js';
import { checkFromError } from '../plugins/dp/check.js';
import type { LockEntry } from './lockfile.js';

/**
 * The manifest capmedia.lock pins, from the first distribution point that has
 * it, its bytes checked against the pinned sha256. A version no DP has any
 * more fails naming the package, the version and every DP asked.
 */
export async function readPinnedFromAnyDp(dps: readonly DistributionPoint[], id: string, pin: LockEntry): Promise<VersionedManifest> {
  const failures: string[] = [];
  const errors: CapmediaError[] = [];
  for (const dp of dps) {
    try {
      const found = await readPinned(dp, id, pin.manifestSha256);
      if (found) return checkAgainstLock(found, id, pin);
      failures.push(`  ${dp.name} (${dp.displayUrl}): does not have it`);
    } catch (error) {
      if (!(error instanceof CapmediaError)) throw error;
      if (error.code === 'LOCK_INVALID') throw error;
      failures.push(`  ${dp.name}: ${error.message}`);
      errors.push(error);
    }
  }
  const what = `Package ${id} version ${pin.version} (manifest sha256 ${pin.manifestSha256}), pinned by capmedia.lock,`;
  if (errors.length === 0) {
    throw new CapmediaError('PINNED_VERSION_GONE', `${what} is on no distribution point any more. Asked:\n${failures.join('\n')}`, {
      hint: `Run \`capmedia update ${id}\` to pin the version the distribution points have now, review the change and commit it.`,
    });
  }
  // Some DP could not answer (permission, network): the version may still be there.
  throw new CapmediaError(errors[0].code, `${what} could not be read from any distribution point:\n${failures.join('\n')}`, {
    hint: `Fix what each distribution point reported above, then build again; if the version is gone, run \`capmedia update ${id}\`.`,
  });
}

function checkAgainstLock(found: VersionedManifest, id: string, pin: LockEntry): VersionedManifest {
  if (found.manifest.version !== pin.version || found.manifest.kind !== pin.kind) {
    throw new CapmediaError(
      'LOCK_INVALID',
      `capmedia.lock says ${id} is ${pin.kind} version ${pin.version}, but the manifest it pins is ${found.manifest.kind} version ${found.manifest.version}.`,
      { hint: `The lock was edited by hand: restore it, or run \`capmedia update ${id}\`.` },
    );
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
