import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { constants } from 'node:fs';
import { cacheKey } from '../cache/key.js';
import { isTrusted } from '../cache/blobs.js';
import { mapPool } from '../cache/pool.js';
import type { ActionRecord } from '../cache/actions.js';
import type { RemoteCache } from '../cache/remote/client.js';
import { isMediaOutputs, isStageOutputs } from '../cache/remote/shapes.js';
import type { CacheStats } from '../cache/remote/stats.js';
import { ioError } from '../errors.js';
import { mediaType } from '../plugins/registry.js';
import { credentialMode } from '../tasksequence/credentials.js';
import type { BuildContext, LayoutEntry, MediaJob, MediaRecord } from './context.js';
import { packMedia, partialPath } from './pack.js';
import { splitMedia } from './split.js';
import type { StageRecord } from './plan.js';
import { checkContentForMedia, placements } from './stage.js';
import { SET_MANIFEST, volumeFileName } from './volumes.js';

const MEDIA_RECORD_VERSION = 1;
const TRANSFER_PARALLELISM = 4;

/**
 * The key of a media's finished volumes: the pack key (everything that shapes
 * the image) and the capacity (how it splits). Not the output path, which
 * differs between runners and does not change a byte of the image.
 */
export function mediaRecordKey(job: MediaJob): string {
  return cacheKey({ step: 'media', version: MEDIA_RECORD_VERSION, pack: job.packKey!.key, size: job.media.sizeSpec });
}

/**
 * Only media that are whole image files travel: a USB drive is written from
 * a temporary image, and `format: false` changes what is already there.
 */
function travels(job: MediaJob): boolean {
  const type = mediaType(job.media.type);
  const records = type.recordsPath ? type.recordsPath(job.media) : job.media.output;
  return job.media.format !== false && records !== undefined;
}

/** An embedded password is in TaskSequence.vars (and boot.wim for WinPE): nothing holding it leaves this machine. */
function holdsSecret(ctx: BuildContext): boolean {
  return credentialMode(ctx.config) === 'embedded';
}

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
  for (const job of ctx.jobs.filter((j) => !j.upToDate && travels(j))) {
    job.remoteRecord = await remote.getRecord<ActionRecord<MediaRecord>>(mediaRecordKey(job), isMediaOutputs);
  }
  if (ctx.jobs.some((job) => !job.upToDate && !job.remoteRecord)) await lookupRemoteStage(ctx);
}

/** The stage record of the remote, asked for only when some media must be built here. */
export async function lookupRemoteStage(ctx: BuildContext): Promise<void> {
  if (!ctx.remote || ctx.options.force || ctx.stageCached || ctx.remoteStage) return;
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
  const type = mediaType(job.media.type);
  job.volumes = [];
  for (const [index, volume] of volumes.entries()) {
    const final = volumes.length === 1 ? job.media.output : volumeFileName(job.media.output, index + 1);
    const temp = (volumes.length === 1 && type.partialOutput?.(job.media, job.workDir)) || partialPath(final);
    await takeBlob(ctx.store.path(volume.sha256), temp);
    job.volumes.push({ temp, final, size: volume.size, sha256: volume.sha256, label: volume.label, files: volume.files });
  }
  if (setManifest) {
    // label writes the set manifest beside the outputs from volume 1's tree.
    const tree = join(job.stagingDir, 'vol-1', 'tree', dirname(SET_MANIFEST));
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, basename(SET_MANIFEST)), setManifest);
  }
}

/** The store does not need to keep an image the output now holds: move it when it can, else copy. */
async function takeBlob(blob: string, temp: string): Promise<void> {
  try {
    await mkdir(dirname(temp), { recursive: true });
    await rename(blob, temp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw ioError('place the downloaded image at', temp, error);
    await copyFile(blob, temp, constants.COPYFILE_FICLONE).catch((copyError) =>
      Promise.reject(ioError('place the downloaded image at', temp, copyError)),
    );
  }
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
  if (!remote?.canWrite || !remote.usable || job.restored || !job.published || !job.volumes || !travels(job) || holdsSecret(ctx)) return;
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

/** format/pack: the downloaded volumes when the remote had them (stage cached here restores them only now), else xorriso/mtools. */
export async function packOrRestore(ctx: BuildContext, job: MediaJob): Promise<void> {
  if (await restoreMedia(ctx, job)) return placeRestored(ctx, job);
  return packMedia(ctx, job);
}

export async function splitUnlessRestored(ctx: BuildContext, job: MediaJob): Promise<void> {
  if (!job.restored) await splitMedia(ctx, job);
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
