import { mapPool } from '../../cache/pool.js';
import type { ActionRecord } from '../../cache/actions.js';
import type { RemoteCache } from '../../cache/remote/client.js';
import type { CacheStats } from '../../cache/remote/stats.js';
import type { BuildContext } from '../context.js';
import { placements, type LayoutEntry } from '../layout.js';
import type { JobPlan, MediaRecord, Plan, PublishedOutput, Resolved, StageRecord, Volumes } from '../results.js';
import type { BuildServices } from '../services.js';
import { holdsSecret, mediaRecordKey, travels } from './policy.js';

const TRANSFER_PARALLELISM = 4;

/** Blobs first, the record last: a record in the remote always names blobs that are there. */
async function uploadThenRecord(
  remote: RemoteCache,
  blobs: Array<{ sha256: string; size: number; path: string }>,
  record: ActionRecord,
): Promise<void> {
  const unique = [...new Map(blobs.map((b) => [b.sha256, b])).values()];
  const sent = await mapPool(unique, TRANSFER_PARALLELISM, (blob) => remote.putBlobFile(blob.sha256, blob.size, blob.path));
  if (sent.every(Boolean)) await remote.putRecord(record.key, record);
}

/** After stage ran here: its blobs and record go up while pack runs. */
export function uploadStage(ctx: BuildContext, resolved: Resolved, plan: Plan, files: readonly LayoutEntry[]): void {
  const { remote, store, uploads, now } = ctx.services;
  if (!remote?.canWrite || !remote.usable || plan.remoteStage.record) return;
  const withPath = (f: LayoutEntry) => ({ ...f, path: store.path(f.sha256) });
  if (holdsSecret(ctx.config)) {
    // The packages' own files carry no secret: share them, not the generated ones nor the record.
    const packaged = new Set(placements(resolved).map((f) => f.sha256));
    const blobs = files.filter((f) => packaged.has(f.sha256)).map(withPath);
    uploads.start(() => mapPool(blobs, TRANSFER_PARALLELISM, (b) => remote.putBlobFile(b.sha256, b.size, b.path)));
    return;
  }
  const { key, preimage } = plan.stageKey;
  const record: ActionRecord<StageRecord> = {
    step: 'stage',
    key,
    preimage,
    outputs: { files: [...files] },
    createdAt: now().toISOString(),
  };
  uploads.start(() => uploadThenRecord(remote, files.map(withPath), record));
}

/** After a media was published: its volumes, then its record, while the next media packs. */
export function uploadMedia(
  ctx: BuildContext,
  job: JobPlan,
  { volumes, setManifest, restored }: Volumes,
  published: PublishedOutput[],
): void {
  const { remote, uploads, now } = ctx.services;
  if (!remote?.canWrite || !remote.usable || restored || !travels(ctx.config, job.job) || holdsSecret(ctx.config)) return;
  if (published.length > 1 && !setManifest) return;
  const outputs: MediaRecord = {
    volumes: published.map((output, index) => ({
      sha256: output.sha256,
      size: output.size,
      label: output.label,
      files: [...(volumes[index]?.files ?? [])],
    })),
    setManifest: published.length > 1 ? setManifest : undefined,
  };
  const key = mediaRecordKey(job);
  const preimage = { pack: job.packKey.key, size: job.job.media.sizeSpec };
  const record: ActionRecord<MediaRecord> = { step: 'media', key, preimage, outputs, createdAt: now().toISOString() };
  const blobs = published.map((output) => ({ sha256: output.sha256, size: output.size, path: output.path }));
  uploads.start(() => uploadThenRecord(remote, blobs, record));
}

/** Waits for the uploads, then says what the caches did. */
export async function finishCaches(services: BuildServices): Promise<CacheStats> {
  await services.uploads.finish();
  await services.remote?.close();
  return { ...services.cacheStats, remote: services.remote?.stats };
}
