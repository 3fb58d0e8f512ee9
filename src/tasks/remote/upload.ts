import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { mapPool } from '../../cache/pool.js';
import type { ActionRecord } from '../../cache/actions.js';
import type { RemoteCache } from '../../cache/remote/client.js';
import type { CacheStats } from '../../cache/remote/stats.js';
import type { BuildContext, LayoutEntry, MediaJob, MediaRecord } from '../context.js';
import type { StageRecord } from '../plan.js';
import { placements } from '../stage.js';
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
export function uploadStage(ctx: BuildContext, files: readonly LayoutEntry[]): void {
  const remote = ctx.remote;
  if (!remote?.canWrite || !remote.usable || ctx.remoteStage) return;
  if (holdsSecret(ctx)) {
    // The packages' own files carry no secret: share them, not the generated ones nor the record.
    const packaged = new Set(placements(ctx).map((f) => f.sha256));
    const blobs = files.filter((f) => packaged.has(f.sha256)).map((f) => ({ ...f, path: ctx.store.path(f.sha256) }));
    ctx.uploads.start(() => mapPool(blobs, TRANSFER_PARALLELISM, (b) => remote.putBlobFile(b.sha256, b.size, b.path)));
    return;
  }
  const key = ctx.stageKey!;
  const record: ActionRecord<StageRecord> = {
    step: 'stage',
    key: key.key,
    preimage: key.preimage,
    outputs: { files: [...files] },
    createdAt: new Date().toISOString(),
  };
  ctx.uploads.start(() =>
    uploadThenRecord(
      remote,
      files.map((f) => ({ ...f, path: ctx.store.path(f.sha256) })),
      record,
    ),
  );
}

/** After a media was published: its volumes, then its record, while the next media packs. */
export async function uploadMedia(ctx: BuildContext, job: MediaJob): Promise<void> {
  const remote = ctx.remote;
  if (!remote?.canWrite || !remote.usable || job.restored || !job.published || !job.volumes || !travels(ctx, job) || holdsSecret(ctx))
    return;
  const volumes = job.published.map((output, index) => ({
    sha256: output.sha256,
    size: output.size,
    label: output.label,
    files: job.volumes![index]?.files ?? [],
  }));
  const setManifest = volumes.length > 1 ? await readFile(setManifestPath(job.media.output), 'utf8').catch(() => undefined) : undefined;
  if (volumes.length > 1 && !setManifest) return;
  const key = mediaRecordKey(job);
  const record: ActionRecord<MediaRecord> = {
    step: 'media',
    key,
    preimage: { pack: job.packKey!.key, size: job.media.sizeSpec },
    outputs: { volumes, setManifest },
    createdAt: new Date().toISOString(),
  };
  const blobs = job.published.map((output) => ({ sha256: output.sha256, size: output.size, path: output.path }));
  ctx.uploads.start(() => uploadThenRecord(remote, blobs, record));
}

function setManifestPath(output: string): string {
  return join(dirname(output), `${basename(output, extname(output))}.set.json`);
}

/** Waits for the uploads, then says what the caches did. */
export async function finishCaches(ctx: BuildContext): Promise<CacheStats> {
  await ctx.uploads.finish();
  await ctx.remote?.close();
  return { ...ctx.cacheStats, remote: ctx.remote?.stats };
}

/** label, then the media's upload starts in the background. */
export async function publishThenUpload(
  ctx: BuildContext,
  job: MediaJob,
  publish: (ctx: BuildContext, job: MediaJob) => Promise<void>,
): Promise<void> {
  await publish(ctx, job);
  await uploadMedia(ctx, job);
}
