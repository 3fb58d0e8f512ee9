import { copyFile, mkdir, rename, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { constants } from 'node:fs';
import { isTrusted } from '../../cache/blobs.js';
import { mapPool } from '../../cache/pool.js';
import type { ActionRecord } from '../../cache/actions.js';
import { isMediaOutputs, isStageOutputs } from '../../cache/remote/shapes.js';
import { ioError } from '../../errors/index.js';
import { partialPath } from '../../fs/atomic.js';
import type { BuildContext, MediaJob } from '../context.js';
import { checkContentForMedia, type LayoutEntry } from '../layout.js';
import type { MediaRecord, Packed, Plan, StageRecord, Volume } from '../results.js';
import { volumeFileName } from '../volumes.js';
import { holdsSecret, mediaRecordKey, travels } from './policy.js';
import { claimStaging } from '../staging-owner.js';

/** Counts the local lookups planBuild made, then asks the remote about what is still to do. */
export async function lookupCaches(ctx: BuildContext, plan: Plan): Promise<Plan> {
  const { cacheStats: stats, remote, notices } = ctx.services;
  for (const job of plan.jobs)
    if (job.upToDate) stats.local.hits++;
    else stats.local.misses++;
  if (plan.stageRecorded) stats.local.hits++;
  else stats.local.misses++;
  if (!remote || ctx.options.force) return plan;
  if (holdsSecret(ctx.config) && remote.canWrite)
    notices.push(
      'remote cache: the task sequence embeds a password (taskSequence.credentials.embed), so these media and their task sequence files stay local-only: they are not uploaded',
    );
  const jobs = [];
  for (const job of plan.jobs) {
    const asked = !job.upToDate && travels(ctx.config, job.job);
    jobs.push(
      asked ? { ...job, remoteRecord: await remote.getRecord<ActionRecord<MediaRecord>>(mediaRecordKey(job), isMediaOutputs) } : job,
    );
  }
  const looked = { ...plan, jobs };
  if (!jobs.some((job) => !job.upToDate && !job.remoteRecord)) return looked;
  return { ...looked, remoteStage: { asked: true, record: await lookupRemoteStage(ctx, looked) } };
}

/** The stage record of the remote, asked for (once) only when some media must be built here. */
export async function lookupRemoteStage(ctx: BuildContext, plan: Plan): Promise<ActionRecord<StageRecord> | undefined> {
  const { remote } = ctx.services;
  if (plan.remoteStage.asked) return plan.remoteStage.record;
  if (!remote || ctx.options.force || plan.cachedStage) return undefined;
  return remote.getRecord<ActionRecord<StageRecord>>(plan.stageKey.key, isStageOutputs);
}

/**
 * Downloads the finished volumes a remote record names into the store. A
 * volume that fails its hash makes that media a miss (built locally):
 * undefined then.
 */
export async function restoreMedia(ctx: BuildContext, record: ActionRecord<MediaRecord>): Promise<MediaRecord | undefined> {
  const { remote, store } = ctx.services;
  if (!remote) return undefined;
  const fetched = await mapPool(record.outputs.volumes, 2, async (volume) => {
    if (await isTrusted(store, volume.sha256, volume.size)) return true;
    return remote.fetchBlob(store, volume.sha256, volume.size);
  });
  return fetched.every(Boolean) ? record.outputs : undefined;
}

/**
 * Puts the downloaded volumes where label expects packed ones: temp files
 * beside their final names. `stillNeeded` says whether another media of this
 * build is made of the same blob and has not taken it yet.
 */
export async function placeRestored(
  ctx: BuildContext,
  job: MediaJob,
  record: MediaRecord,
  stillNeeded: (sha256: string) => boolean,
): Promise<Extract<Packed, { kind: 'restored' }>> {
  const { volumes, setManifest } = record;
  const { store, now } = ctx.services;
  const type = ctx.config.registry.mediaType(job.media.type);
  await claimStaging(job.stagingDir);
  const placed: Volume[] = [];
  for (const [index, volume] of volumes.entries()) {
    const final = volumes.length === 1 ? job.media.output : volumeFileName(job.media.output, index + 1);
    const temp = (volumes.length === 1 && type.partialOutput?.(job.media, job.workDir)) || partialPath(final);
    const keep = volumes.slice(index + 1).some((v) => v.sha256 === volume.sha256) || stillNeeded(volume.sha256);
    await takeBlob(store.path(volume.sha256), temp, keep, now());
    placed.push({ temp, final, size: volume.size, sha256: volume.sha256, label: volume.label, files: volume.files });
  }
  return { kind: 'restored', volumes: placed, setManifest };
}

/**
 * The store does not need to keep an image the output now holds: move it when
 * it can, else copy. The output is dated now, like one built here (the blob
 * carries the store's "verified" date).
 */
async function takeBlob(blob: string, temp: string, keep: boolean, now: Date): Promise<void> {
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
  record: ActionRecord<StageRecord> | undefined,
): Promise<{ files: LayoutEntry[]; fetched: { files: number; bytes: number } } | undefined> {
  const { remote, store } = ctx.services;
  if (!record || !remote) return undefined;
  const files = record.outputs.files;
  checkContentForMedia(ctx.config, ctx.jobs, files);
  const fetched = { files: 0, bytes: 0 };
  const unique = [...new Map(files.map((f) => [f.sha256, f])).values()];
  const ok = await mapPool(unique, 8, async (file) => {
    if (await isTrusted(store, file.sha256, file.size)) return true;
    const got = await remote.fetchBlob(store, file.sha256, file.size);
    if (got) {
      fetched.files++;
      fetched.bytes += file.size;
    }
    return got;
  });
  return ok.every(Boolean) ? { files, fetched } : undefined;
}
