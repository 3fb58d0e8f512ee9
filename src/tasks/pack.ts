import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ioError } from '../errors/index.js';
import type { BuildContext, MediaJob } from './context.js';
import { checkFreeSpace } from './stage.js';
import { assertLayout, layOutGenerated, layOutTree } from './tree.js';
import { makeDirs } from '../fs/make-dirs.js';
import { partialPath, removeStalePartials } from '../fs/atomic.js';
import { claimStaging } from './staging-owner.js';

export async function packMedia(ctx: BuildContext, job: MediaJob): Promise<void> {
  const { media } = job;
  const outDir = dirname(media.output);
  try {
    await makeDirs(outDir);
  } catch (error) {
    throw ioError('create the output folder', outDir, error);
  }
  await removeStalePartials(media.output);
  await rm(job.stagingDir, { recursive: true, force: true });
  await claimStaging(job.stagingDir);
  job.trees.clear();
  const layout = assertLayout(ctx.layout);
  const contentBytes = layout.reduce((sum, f) => sum + f.size, 0);
  const type = ctx.config.registry.mediaType(media.type);
  // More content than capacity can never fit one volume: go straight to planning a set.
  if (type.spansVolumes && contentBytes > media.capacity) {
    job.oversize = contentBytes;
    return;
  }
  const layOut = type.packsFromStore ? layOutGenerated : layOutTree;
  job.stagedBytes = await layOut(ctx, { treeDir: job.treeDir, workDir: job.workDir, label: media.label, autorun: media.autorun }, layout);
  const temp = type.partialOutput?.(media, job.workDir) ?? partialPath(media.output);
  // Room for the image plus file-system overhead and the boot records, where the image is written.
  await checkFreeSpace(dirname(temp), job.stagedBytes + 32 * 2 ** 20, type.partialOutput ? 'media.staging' : `media.${type.output.key}`);
  const input = {
    treeDir: job.treeDir,
    workDir: job.workDir,
    output: temp,
    label: media.label,
    platform: ctx.resolved!.platform,
    exec: ctx.exec,
    env: ctx.toolEnv,
    sourceDateEpoch: ctx.sourceDateEpoch,
    signal: ctx.options.signal,
    notice: (message: string) => ctx.notices.push(`${media.name}: ${message}`),
    media,
    ...(type.packsFromStore ? { content: { files: layout, blobPath: (sha256: string) => ctx.store.path(sha256) } } : {}),
  };
  // Measured, not guessed: when the content may not fit, ask the media type for the exact size first.
  if (type.spansVolumes && type.estimateSize && job.stagedBytes > media.capacity * 0.9) {
    const size = await type.estimateSize(input);
    if (size > media.capacity) {
      job.oversize = size;
      return;
    }
  }
  try {
    job.packed = await type.pack(input);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Removes the partial files of a failed or cancelled build; the user's previous outputs are never touched. */
export async function discardPartials(job: MediaJob): Promise<void> {
  const temps = [job.packed?.output, ...(job.volumes ?? []).map((v) => v.temp)].filter((p): p is string => Boolean(p));
  await Promise.all(temps.map((path) => rm(path, { recursive: true, force: true })));
}
