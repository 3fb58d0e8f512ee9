import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fail } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { sha256File } from '../library/hash.js';
import { markVerified } from '../cache/blobs.js';
import { splitWim } from '../tools/wimlib.js';
import type { BuildContext, MediaJob } from './context.js';
import type { LayoutEntry } from './layout.js';
import { isSpreadable } from './volumes.js';

/** Room a part leaves on a data volume for the file system and the set manifest. */
const VOLUME_OVERHEAD = 16 * 2 ** 20;

/**
 * With media.splitLargeFiles, a .wim larger than one volume becomes .swm
 * parts (wimlib) that the volumes can share. wimlib never cuts a resource,
 * so a part can come out larger than asked: that is checked, not assumed.
 */
export async function splitLargeWims(
  ctx: BuildContext,
  job: MediaJob,
  layout: readonly LayoutEntry[],
  capacity: number,
): Promise<LayoutEntry[]> {
  const limit = capacity - VOLUME_OVERHEAD;
  const result: LayoutEntry[] = [];
  for (const file of layout) {
    const tooLarge = isSpreadable(file) && file.size > limit && file.target.toLowerCase().endsWith('.wim');
    if (!tooLarge || !job.media.splitLargeFiles) {
      result.push(file);
      continue;
    }
    result.push(...(await splitOne(ctx, job, file, limit)));
  }
  return result;
}

async function splitOne(ctx: BuildContext, job: MediaJob, file: LayoutEntry, limit: number): Promise<LayoutEntry[]> {
  const work = join(job.stagingDir, 'wim-split', file.sha256.slice(0, 16));
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const stem = basename(file.target).replace(/\.wim$/i, '');
  const partMiB = Math.max(1, Math.floor(limit / 2 ** 20));
  const { exec, store, signal, notices } = ctx.services;
  const parts = await splitWim(exec, store.path(file.sha256), join(work, `${stem}.swm`), partMiB, signal);
  const folder = file.target.slice(0, file.target.length - basename(file.target).length);
  const entries: LayoutEntry[] = [];
  for (const part of parts) {
    const { sha256, size } = await sha256File(part);
    if (size > limit) throw fail('wimPartTooLarge', { target: file.target, part: basename(part), size, limit });
    await store.ingest(sha256, size, async () => createReadStream(part), `split part ${basename(part)}`);
    await markVerified(store, sha256);
    entries.push({ target: `${folder}${basename(part)}`, sha256, size, packageId: file.packageId });
  }
  await rm(work, { recursive: true, force: true });
  notices.push(`${job.media.name}: ${file.target} (${formatBytes(file.size)}) split into ${entries.length} .swm parts`);
  return entries;
}
