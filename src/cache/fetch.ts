import { CapmediaError, fail } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import type { PackageFile } from '../library/manifest.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import { DOWNLOAD_RETRIES, backoffMs, isTransient, sleep, type RetryPolicy } from '../plugins/dp/retry.js';
import { markVerified } from './blobs.js';
import { isLocalFailure } from './partial.js';
import type { ContentStore } from './store.js';
import type { FetchProgress } from './progress.js';

export type { FetchProgress } from './progress.js';

export interface FetchOptions {
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
}

const inflight = new Map<string, Promise<void>>();

/**
 * Brings one blob into the content store from the first distribution point
 * that delivers a correct copy; the others are fallbacks. Each is tried
 * several times when the failure is transient, resuming (Range) where the
 * last attempt stopped. Concurrent calls for one blob share one download.
 */
export function fetchIntoStore(
  store: ContentStore,
  file: PackageFile,
  packageId: string,
  sources: readonly DistributionPoint[],
  options: FetchOptions = {},
): Promise<void> {
  const key = store.path(file.sha256);
  const running = inflight.get(key);
  if (running) return running;
  const download = fetchFromSources(store, file, packageId, sources, options).finally(() => inflight.delete(key));
  inflight.set(key, download);
  return download;
}

async function fetchFromSources(
  store: ContentStore,
  file: PackageFile,
  packageId: string,
  sources: readonly DistributionPoint[],
  options: FetchOptions,
): Promise<void> {
  // A synchronous stat: an awaited one costs a promise and a thread-pool round trip per blob, thousands per build.
  if (store.hasNow(file.sha256, file.size)) return;
  meterOf(store).expect(file.sha256, file.size);
  const failures: Array<{ dp: DistributionPoint; error: CapmediaError }> = [];
  for (const dp of sources) {
    try {
      await fetchFrom(store, dp, file, packageId, options);
      meterOf(store).finish(file.sha256);
      return;
    } catch (error) {
      if (!(error instanceof CapmediaError) || isLocalFailure(error) || error.code === 'CANCELLED') throw error;
      failures.push({ dp, error });
    }
  }
  throw fail('noSourceDelivered', {
    path: file.path,
    packageId,
    failures: failures.map((f) => `${f.dp.name}: ${f.error.message}`),
    corrupt: failures.some((f) => f.error.code === 'HASH_MISMATCH'),
    codes: failures.map((f) => f.error.code),
  });
}

async function fetchFrom(
  store: ContentStore,
  dp: DistributionPoint,
  file: PackageFile,
  packageId: string,
  options: FetchOptions,
): Promise<void> {
  const what = `${file.path} of ${packageId} from ${dp.name}`;
  const local = dp.localBlobPath?.(file.sha256);
  if (local) {
    // Marked verified before it is renamed into place.
    await store.ingestLocalFile(file.sha256, file.size, local, what);
    meterOf(store).update(file.sha256, file.size);
    return;
  }
  await download(store, dp, file, what, options);
  // A committed partial gets its name unmarked.
  await markVerified(store, file.sha256);
}

async function download(store: ContentStore, dp: DistributionPoint, file: PackageFile, what: string, options: FetchOptions): Promise<void> {
  const policy: RetryPolicy = { ...DOWNLOAD_RETRIES, ...options.retry, signal: options.signal };
  const meter = meterOf(store);
  let restarted = false;
  for (let attempt = 1; ; attempt++) {
    const partial = await store.openPartial(file.sha256, file.size);
    const resumedAt = partial.bytes;
    try {
      meter.update(file.sha256, partial.bytes);
      if (partial.bytes < file.size) {
        const start = partial.bytes;
        await partial.append(
          () => dp.openBlob(file.sha256, file.size, { start, signal: options.signal }),
          (bytes) => meter.update(file.sha256, bytes),
        );
      }
      if (partial.bytes < file.size) {
        partial.release();
        throw fail('downloadEndedEarly', { what, bytes: partial.bytes, size: file.size });
      }
      await partial.commit(what);
      return;
    } catch (error) {
      if (options.signal?.aborted || isLocalFailure(error)) throw error;
      // Bytes kept from an earlier attempt may be what is wrong: once, start over from this source.
      if (error instanceof CapmediaError && error.code === 'HASH_MISMATCH' && resumedAt > 0 && !restarted) {
        restarted = true;
        await partial.discard();
        continue;
      }
      if (error instanceof CapmediaError && error.code === 'HASH_MISMATCH') await partial.discard();
      const retryable = isTransient(error) || (error instanceof CapmediaError && error.code === 'DOWNLOAD_INTERRUPTED');
      if (!retryable || attempt >= policy.attempts) throw error;
      await sleep(backoffMs(policy, attempt, error), options.signal);
    }
  }
}

/**
 * Byte progress across the parallel downloads of one store. A download counts from when it starts: the caller owns the
 * parallelism, so the total is "what was asked for so far".
 */
class Meter {
  private readonly expected = new Map<string, number>();
  private readonly position = new Map<string, number>();
  /** Running sums: a report per finished blob must not walk thousands of entries. */
  private totalBytes = 0;
  private bytes = 0;
  private finished = 0;
  private lastReport = 0;

  constructor(private readonly store: ContentStore) {}

  expect(sha256: string, size: number): void {
    this.totalBytes += size - (this.expected.get(sha256) ?? 0);
    this.expected.set(sha256, size);
  }

  update(sha256: string, bytes: number): void {
    this.move(sha256, bytes);
    this.report(false);
  }

  finish(sha256: string): void {
    this.move(sha256, this.expected.get(sha256) ?? 0);
    this.finished++;
    this.report(this.finished === this.expected.size);
  }

  private move(sha256: string, bytes: number): void {
    this.bytes += bytes - (this.position.get(sha256) ?? 0);
    this.position.set(sha256, bytes);
  }

  /** Plain-line renderers print every update: once a second keeps CI logs readable. */
  private report(always: boolean): void {
    const now = Date.now();
    if (!always && now - this.lastReport < 1000) return;
    this.lastReport = now;
    this.store.onProgress?.({ bytes: this.bytes, totalBytes: this.totalBytes, files: this.finished, totalFiles: this.expected.size });
  }
}

const meters = new WeakMap<ContentStore, Meter>();
function meterOf(store: ContentStore): Meter {
  let meter = meters.get(store);
  if (!meter) meters.set(store, (meter = new Meter(store)));
  return meter;
}

export function describeProgress(progress: FetchProgress): string {
  const downloading = progress.totalFiles - progress.files;
  return `fetched ${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)}; ${progress.files} file(s) done${downloading ? `, ${downloading} downloading` : ''}`;
}
