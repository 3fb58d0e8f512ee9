import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../library/hash.js';
import { fetchIntoStore } from '../cache/fetch.js';
import { forEachInLanes } from '../cache/pool.js';
import { SMALL_BLOB } from '../cache/store.js';
import { isTrusted, markVerified, storeBytes, trustedNow } from '../cache/blobs.js';
import { TASK_SEQUENCE_JSON, TASK_SEQUENCE_VARS, taskSequenceDocument, taskSequenceVars } from '../tasksequence/build.js';
import { MEDIA_CONTENT_JSON, mediaContentText } from '../lock/media-record.js';
import { checkFreeSpace } from '../fs/space.js';
import type { BuildContext } from './context.js';
import { checkContentForMedia, placements, type LayoutEntry } from './layout.js';
import type { Resolved, Sources, StagedContent } from './results.js';
import { preferredOrder } from './packages.js';

/** Large blobs stream (disk or network, and the hashing thread): a few at once fill two cores. */
const LARGE_PARALLELISM = 2;
/** Small blobs are round trips (disk or network): several in flight hide their latency. */
const SMALL_PARALLELISM = 8;

export interface StageResult {
  files: LayoutEntry[];
  fetched: { files: number; bytes: number };
}

/**
 * Brings every file of the media into the content store (fetched once,
 * hash-verified) and returns the layout. The tree itself is laid out by
 * pack from the store, so a label change never stages again.
 */
export async function stageContent(ctx: BuildContext, resolved: Resolved, sources: Sources | undefined): Promise<StageResult> {
  const { store } = ctx.services;
  const files = placements(resolved);
  checkContentForMedia(ctx.config, ctx.jobs, files);
  const missing = files.reduce((bytes, file) => (store.hasNow(file.sha256, file.size) ? bytes : bytes + file.size), 0);
  await checkFreeSpace(store.root, missing, 'the cache folder (cache.dir or CAPMEDIA_CACHE_DIR)');
  const fetched = { files: 0, bytes: 0 };
  const lanes = [
    { items: files.filter((file) => file.size > SMALL_BLOB), limit: LARGE_PARALLELISM },
    { items: files.filter((file) => file.size <= SMALL_BLOB), limit: SMALL_PARALLELISM },
  ];
  await forEachInLanes(lanes, async (file) => {
    if (await ensureBlob(ctx, sources, file)) {
      fetched.files++;
      fetched.bytes += file.size;
    }
  });
  const generated = [...files, ...(await generatedFiles(ctx, resolved))];
  const layout = (await prepareForPlatform(ctx, resolved, generated)).sort((a, b) => (a.target < b.target ? -1 : 1));
  return { files: layout, fetched };
}

/**
 * The staged content as pack reads it: a blob damaged in the cache since it
 * was staged is fetched again here, by stage's sources, never by pack.
 */
export function stagedContent(ctx: BuildContext, layout: readonly LayoutEntry[], sources: Sources | undefined): StagedContent {
  return {
    layout,
    blob: async (file) => {
      await ensureBlob(ctx, sources, file);
      return ctx.services.store.path(file.sha256);
    },
    inPlace: (file) => trustedNow(ctx.services.store, file.sha256, file.size),
  };
}

/** Fetches a blob unless a trusted copy is cached; a copy damaged in the cache is fetched again. True when fetched. */
async function ensureBlob(ctx: BuildContext, sources: Sources | undefined, file: LayoutEntry): Promise<boolean> {
  const { store, dps, signal } = ctx.services;
  if (await isTrusted(store, file.sha256, file.size)) return false;
  const from = sources?.get(file.packageId) ?? preferredOrder(ctx.config, dps);
  // fetchIntoStore marks what it brings in as verified.
  await fetchIntoStore(store, { path: file.target, sha256: file.sha256, size: file.size }, file.packageId, from, { signal });
  return true;
}

async function generatedFiles(ctx: BuildContext, resolved: Resolved): Promise<LayoutEntry[]> {
  const doc = taskSequenceDocument(ctx.config);
  const texts: Array<[string, string]> = [
    [TASK_SEQUENCE_JSON, `${JSON.stringify(doc, null, 2)}\n`],
    [TASK_SEQUENCE_VARS, taskSequenceVars(doc)],
    [MEDIA_CONTENT_JSON, mediaContentText(resolved.lock)],
  ];
  const entries: LayoutEntry[] = [];
  for (const [target, text] of texts) entries.push({ target, packageId: '', ...(await storeBytes(ctx.services.store, Buffer.from(text))) });
  return entries;
}

/** The boot platform may rework the file list (WinPE injects the task sequence into boot.wim). */
async function prepareForPlatform(ctx: BuildContext, resolved: Resolved, files: LayoutEntry[]): Promise<LayoutEntry[]> {
  const { platform } = resolved;
  const { store, exec, toolEnv, sourceDateEpoch, notices } = ctx.services;
  if (!platform.prepareContent) return files;
  await mkdir(ctx.config.cacheDir, { recursive: true });
  const workDir = await mkdtemp(join(ctx.config.cacheDir, 'tmp-prepare-'));
  try {
    return await platform.prepareContent({
      files,
      blobPath: (sha256) => store.path(sha256),
      storeFile: async (path) => {
        const { sha256, size } = await sha256File(path);
        await store.ingest(sha256, size, async () => createReadStream(path), `prepared ${path}`);
        await markVerified(store, sha256);
        return { sha256, size };
      },
      workDir,
      exec,
      env: { ...toolEnv },
      sourceDateEpoch,
      notice: (message) => notices.push(message),
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
