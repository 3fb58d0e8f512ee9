import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../library/hash.js';
import { CapmediaError, ioError } from '../errors/index.js';
import { makeDirs } from '../fs/make-dirs.js';
import { formatBytes } from '../config/size.js';
import { type PackageManifest } from '../library/manifest.js';
import { safeRelativePath } from '../library/safe-path.js';
import { fetchIntoStore } from '../cache/fetch.js';
import { mapPool } from '../cache/pool.js';
import { isTrusted, markVerified, storeBytes } from '../cache/blobs.js';
import { TASK_SEQUENCE_JSON, TASK_SEQUENCE_VARS, taskSequenceDocument, taskSequenceVars } from '../tasksequence/build.js';
import type { BuildContext, LayoutEntry } from './context.js';
import { MEDIA_CONTENT_JSON, mediaContentText } from '../lock/media-record.js';
import { preferredOrder } from './resolve.js';

const STAGE_PARALLELISM = 8;

/** Boot image files go to the media root; other packages to SMS/PKG/<id>/, as Configuration Manager media carry them. */
export function placements(ctx: BuildContext): LayoutEntry[] {
  const { bootImage, content } = ctx.resolved!;
  const place = (pkg: PackageManifest, prefix: string) =>
    pkg.files.map((file) => ({
      target: safeRelativePath(`${prefix}${file.path}`, `package ${pkg.id}`),
      sha256: file.sha256,
      size: file.size,
      packageId: pkg.id,
    }));
  return [...place(bootImage, ''), ...content.flatMap((pkg) => place(pkg, `SMS/PKG/${pkg.id}/`))];
}

/** What every media type can check before anything is written (FAT32's 4 GiB limit, R7). */
export function checkContentForMedia(ctx: BuildContext, files: readonly LayoutEntry[]): void {
  for (const job of ctx.jobs)
    ctx.config.registry.mediaType(job.media.type).checkContent?.(
      files.map((f) => ({ path: f.target, size: f.size })),
      job.media,
    );
}

/**
 * Brings every file of the media into the content store (fetched once,
 * hash-verified) and records the layout. The tree itself is laid out by
 * pack from the store, so a label change never stages again.
 */
export interface StageResult {
  files: LayoutEntry[];
  fetched: { files: number; bytes: number };
}

export async function stageContent(ctx: BuildContext): Promise<StageResult> {
  const files = placements(ctx);
  checkContentForMedia(ctx, files);
  const missing = missingBytes(ctx, files);
  await checkFreeSpace(ctx.store.root, missing, 'the cache folder (cache.dir or CAPMEDIA_CACHE_DIR)');
  const fetched = { files: 0, bytes: 0 };
  // Many small files cost syscalls, not bandwidth: overlap them.
  await mapPool(files, STAGE_PARALLELISM, async (file) => {
    if (await ensureBlob(ctx, file)) {
      fetched.files++;
      fetched.bytes += file.size;
    }
  });
  const generated = [...files, ...(await generatedFiles(ctx))];
  const layout = (await prepareForPlatform(ctx, generated)).sort((a, b) => (a.target < b.target ? -1 : 1));
  return { files: layout, fetched };
}

function missingBytes(ctx: BuildContext, files: readonly LayoutEntry[]): number {
  let bytes = 0;
  for (const file of files) if (!ctx.store.hasNow(file.sha256, file.size)) bytes += file.size;
  return bytes;
}

/** Fetches a blob unless a trusted copy is cached; a copy damaged in the cache is fetched again. True when fetched. */
export async function ensureBlob(ctx: BuildContext, file: LayoutEntry): Promise<boolean> {
  if (await isTrusted(ctx.store, file.sha256, file.size)) return false;
  const sources = ctx.sources?.get(file.packageId) ?? preferredOrder(ctx);
  await fetchIntoStore(ctx.store, { path: file.target, sha256: file.sha256, size: file.size }, file.packageId, sources, {
    signal: ctx.options.signal,
  });
  await markVerified(ctx.store, file.sha256);
  return true;
}

async function generatedFiles(ctx: BuildContext): Promise<LayoutEntry[]> {
  const doc = taskSequenceDocument(ctx.config);
  const texts: Array<[string, string]> = [
    [TASK_SEQUENCE_JSON, `${JSON.stringify(doc, null, 2)}\n`],
    [TASK_SEQUENCE_VARS, taskSequenceVars(doc)],
    [MEDIA_CONTENT_JSON, mediaContentText(ctx.resolved!.lock)],
  ];
  const entries: LayoutEntry[] = [];
  for (const [target, text] of texts) entries.push({ target, packageId: '', ...(await storeBytes(ctx.store, Buffer.from(text))) });
  return entries;
}

/** The boot platform may rework the file list (WinPE injects the task sequence into boot.wim). */
async function prepareForPlatform(ctx: BuildContext, files: LayoutEntry[]): Promise<LayoutEntry[]> {
  const platform = ctx.resolved!.platform;
  if (!platform.prepareContent) return files;
  await mkdir(ctx.config.cacheDir, { recursive: true });
  const workDir = await mkdtemp(join(ctx.config.cacheDir, 'tmp-prepare-'));
  try {
    return await platform.prepareContent({
      files,
      blobPath: (sha256) => ctx.store.path(sha256),
      storeFile: async (path) => {
        const { sha256, size } = await sha256File(path);
        await ctx.store.ingest(sha256, size, async () => createReadStream(path), `prepared ${path}`);
        await markVerified(ctx.store, sha256);
        return { sha256, size };
      },
      workDir,
      exec: ctx.exec,
      env: ctx.toolEnv,
      sourceDateEpoch: ctx.sourceDateEpoch,
      notice: (message) => ctx.notices.push(message),
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** R11: staging can need much space; say so before filling the disk. */
export async function checkFreeSpace(path: string, needed: number, key: string): Promise<void> {
  try {
    await makeDirs(path);
  } catch (error) {
    throw ioError('create the folder', path, error);
  }
  const info = await statfs(path);
  const free = info.bavail * info.bsize;
  if (free < needed) {
    throw new CapmediaError('NO_SPACE', `${path} has ${formatBytes(free)} free, but the build needs ${formatBytes(needed)} there.`, {
      hint: `Free some space, or set ${key} to a folder on a larger file system.`,
    });
  }
}
