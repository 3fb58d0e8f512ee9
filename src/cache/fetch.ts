import { CapmediaError } from '../errors.js';
import type { PackageFile } from '../library/manifest.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { ContentStore } from './store.js';

/**
 * Brings one blob into the content store from the first distribution point
 * that delivers a correct copy; the others are fallbacks.
 */
export async function fetchIntoStore(store: ContentStore, file: PackageFile, packageId: string, sources: readonly DistributionPoint[]): Promise<void> {
  if (await store.has(file.sha256, file.size)) return;
  const failures: string[] = [];
  for (const dp of sources) {
    try {
      await store.ingest(file.sha256, file.size, () => dp.openBlob(file.sha256, file.size), `${file.path} of ${packageId} from ${dp.name}`);
      return;
    } catch (error) {
      if (!(error instanceof CapmediaError)) throw error;
      failures.push(`  ${dp.name}: ${error.message}`);
    }
  }
  throw new CapmediaError('HASH_MISMATCH', `No distribution point delivered a correct copy of ${file.path} (package ${packageId}):\n${failures.join('\n') || '  no distribution point has it'}`, {
    hint: 'Re-publish the package with `capmedia distribute`; nothing damaged was staged.',
  });
}
