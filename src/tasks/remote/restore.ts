import { copyFile, mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { constants } from 'node:fs';
import { isTrusted } from '../../cache/blobs.js';
import { mapPool } from '../../cache/pool.js';
import type { ActionRecord } from '../../cache/actions.js';
import { isMediaOutputs, isStageOutputs } from '../../cache/remote/shapes.js';
import { ioError } from '../../errors/index.js';
import type { BuildContext, LayoutEntry, MediaJob, MediaRecord } from '../context.js';
import { packMedia } from '../pack.js';
import { partialPath } from '../../fs/atomic.js';
import { splitMedia } from '../split.js';
import type { StageRecord } from '../plan.js';
import { checkContentForMedia } from '../stage.js';
import { SET_MANIFEST, volumeFileName } from '../volumes.js';
import { holdsSecret, mediaRecordKey, travels } from './policy.js';
import { claimStaging } from '../staging-owner.js';

/** Counts the local lookups planBuild made, then asks the remote about what is still to do. */
export async function lookupCaches(ctx: BuildContext): Promise<void> {
  const stats = ctx.cacheStats;
  for (const job of ctx.jobs)
    if (job.upToDate) stats.local.hits++;
    else stats.local.misses++;
  if (ctx.layout) stats.local.hits++;
  else stats.local.misses++;
  const remote = ctx.remote;
  if (!remote || ctx.options.force) return;
  if (holdsSecret(ctx) && remote.canWrite)
    ctx.notices.push(
      'remote cache: the task sequence embeds a password (taskSequence.credentials.embed), so these media and their task sequence files stay local-only: they are not uploaded',
    );
  for (const job of ctx.jobs.filter((j) => !j.upToDate && travels(ctx, j))) {
    job.remoteRecord = await remote.getRecord<ActionRecord<MediaRecord>>(mediaRecordKey(job), isMediaOutputs);
  }
  if (ctx.jobs.some((job) => !job.upToDate && !job.remoteRecord)) await lookupRemoteStage(ctx);
}

const askedForStage = new WeakSet<BuildContext>();

/** The stage record of the remote, asked for (once) only when some media must be built here. */
export async function lookupRemoteStage(ctx: BuildContext): Promise<void> {
  if (!ctx.remote || ctx.options.force || ctx.stageCached || askedForStage.has(ctx)) return;
  askedForStage.add(ctx);
  ctx.remoteStage = await ctx.remote.getRecord<ActionRecord<StageRecord>>(ctx.stageKey!.key, isStageOutputs);
}

/**
 * Downloads the finished volumes of every media the remote holds, before
 * anything is staged: when all of them come down, no content is fetched at
 * all. A volume that fails its hash makes that media a miss (built locally).
 */
export async function restoreMediaFromRemote(ctx: BuildContext): Promise<boolean> {
  for (const job of ctx.jobs) if (!job.upToDate) await restoreMedia(ctx, job);
  return ctx.jobs.every((job) => job.upToDate || job.restored);
}

export async function restoreMedia(ctx: BuildContext, job: MediaJob): Promise<boolean> {
  const record = job.remoteRecord;
  if (!record || !ctx.remote || job.restored) return Boolean(job.restored);
  job.remoteRecord = undefined;
  const remote = ctx.remote;
  const volumes = record.outputs.volumes;
  const fetched = await mapPool(volumes, 2, async (volume) => {
    if (await isTrusted(ctx.store, volume.sha256, volume.size)) return true;
    return remote.fetchBlob(ctx.store, volume.sha256, volume.size);
  });
  if (!fetched.every(Boolean)) return false;
  job.restored = record.outputs;
  return true;
}

/** Puts the downloaded volumes where split and label expect packed ones: temp files beside their final names. */
export async function placeRestored(ctx: BuildContext, job: MediaJob): Promise<void> {
  const { volumes, setManifest } = job.restored!;
  const type = ctx.config.registry.mediaType(job.media.type);
  await claimStaging(job.stagingDir);
  job.volumes = [];
  for (const [index, volume] of volumes.entries()) {
    const final = volumes.length === 1 ? job.media.output : volumeFileName(job.media.output, index + 1);
    const temp = (volumes.length === 1 && type.partialOutput?.(job.media, job.workDir)) || partialPath(final);
    await takeBlob(ctx.store.path(volume.sha256), temp, stillNeeded(ctx, job, volume.sha256, index));
    job.volumes.push({ temp, final, size: volume.size, sha256: volume.sha256, label: volume.label, files: volume.files });
  }
  if (setManifest) {
    // label writes the set manifest beside the outputs from volume 1's tree.
    const tree = join(job.stagingDir, 'vol-1', 'tree', dirname(SET_MANIFEST));
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, basename(SET_MANIFEST)), setManifest);
  }
}

/** Another media of this build (or a later volume) is made of the same blob and has not taken it yet. */
function stillNeeded(ctx: BuildContext, job: MediaJob, sha256: string, index: number): boolean {
  if (job.restored!.volumes.slice(index + 1).some((v) => v.sha256 === sha256)) return true;
  return ctx.jobs.some(
    (other) => other !== job && other.restored && !other.volumes && other.restored.volumes.some((v) => v.sha256 === sha256),
  );
}

/**
 * The store does not need to keep an image the output now holds: move it when
 * it can, else copy. The output is dated now, like one built here (the blob
 * carries the store's "verified" date).
 */
async function takeBlob(blob: string, temp: string, keep: boolean): Promise<void> {
  const failed = (error: unknown) => Promise.reject(ioError('place the downloaded image at', temp, error));
  await mkdir(dirname(temp), { recursive: true }).catch(failed);
  let moved = false;
  if (!keep) {
    moved = await rename(blob, temp).then(
      () => true,
      (error: NodeJS.ErrnoException) => (error.code === 'EXDEV' ? false : failed(error)),
    );
  }
  if (!moved) await copyFile(blob, temp, constants.COPYFILE_FICLONE).catch(failed);
  const now = new Date();
  await utimes(temp, now, now).catch(failed);
}

/**
 * The stage step's result from the remote: its layout, and every blob of it
 * from cas/ instead of the distribution points. Undefined when any blob is
 * missing or damaged there: stage then runs as usual, fetching only what is
 * still missing.
 */
export async function stageFromRemote(
  ctx: BuildContext,
): Promise<{ files: LayoutEntry[]; fetched: { files: number; bytes: number } } | undefined> {
  const record = ctx.remoteStage;
  const remote = ctx.remote;
  if (!record || !remote) return undefined;
  const files = record.outputs.files;
  checkContentForMedia(ctx, files);
  const fetched = { files: 0, bytes: 0 };
  const unique = [...new Map(files.map((f) => [f.sha256, f])).values()];
  const ok = await mapPool(unique, 8, async (file) => {
    if (await isTrusted(ctx.store, file.sha256, file.size)) return true;
    const got = await remote.fetchBlob(ctx.store, file.sha256, file.size);
    if (got) {
      fetched.files++;
      fetched.bytes += file.size;
    }
    return got;
  });
  return ok.every(Boolean) ? { files, fetched } : undefined;
}

/** format/pack: the downloaded volumes when the remote had them (stage cached here restores them only now), else xorriso/mtools. */
export async function packOrRestore(ctx: BuildContext, job: MediaJob): Promise<void> {
  if (await restoreMedia(ctx, job)) return placeRestored(ctx, job);
  return packMedia(ctx, job);
}

export async function splitUnlessRestored(ctx: BuildContext, job: MediaJob): Promise<void> {
  if (!job.restored) await splitMedia(ctx, job);
}
