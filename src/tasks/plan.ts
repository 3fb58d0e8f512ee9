import { access } from 'node:fs/promises';
import { shortKey } from '../cache/key.js';
import type { BuildContext, LayoutEntry, MediaJob, PublishedOutput } from './context.js';
import { packKey, publishKey, stageKey } from './keys.js';

export interface StageRecord {
  files: LayoutEntry[];
}

export interface PublishRecord {
  outputs: PublishedOutput[];
}

/**
 * Computes every step's key and looks up its record, so each step knows
 * before it starts whether it has anything to do.
 */
export async function planBuild(ctx: BuildContext): Promise<void> {
  ctx.stageKey = stageKey(ctx);
  for (const job of ctx.jobs) {
    job.packKey = await packKey(ctx, job, ctx.stageKey);
    job.publishKey = publishKey(job, job.packKey);
  }
  if (ctx.options.force) return;
  for (const job of ctx.jobs) {
    const published = await ctx.actions.get<PublishRecord>(job.publishKey!.key);
    if (published && (await outputsIntact(ctx, job, published.outputs.outputs))) job.upToDate = published.outputs.outputs;
  }
  const staged = await ctx.actions.get<StageRecord>(ctx.stageKey.key);
  if (staged) {
    ctx.layout = staged.outputs.files;
    // When every output is up to date nothing will be laid out, so the blobs need not be looked at.
    ctx.stageCached = ctx.jobs.every((job) => job.upToDate) || allBlobsPresent(ctx, staged.outputs.files);
  }
}

function allBlobsPresent(ctx: BuildContext, files: readonly LayoutEntry[]): boolean {
  return files.every((file) => ctx.store.hasNow(file.sha256, file.size));
}

/** The outputs are still what we published: same bytes (stat cache, re-hashed when the stat changed), sidecars present. */
async function outputsIntact(ctx: BuildContext, job: MediaJob, outputs: readonly PublishedOutput[]): Promise<boolean> {
  const type = ctx.config.registry.mediaType(job.media.type);
  for (const output of outputs) {
    const current = type.outputDigest
      ? await type.outputDigest(output.path).catch(() => undefined)
      : (await ctx.statCache.sha256(output.path).catch(() => undefined))?.sha256;
    if (current !== output.sha256) return false;
    if (
      !(await access(`${output.path}.sha256`).then(
        () => true,
        () => false,
      ))
    )
      return false;
  }
  return outputs.length > 0;
}

/** listr2 skip reasons: a string is shown in the log. */
export function verifySkipReason(ctx: BuildContext): string | false {
  if (ctx.jobs.every((job) => job.upToDate)) return 'up to date: nothing to fetch';
  if (ctx.stageCached) return `nothing to fetch: all content is in the local cache (stage cached ${shortKey(ctx.stageKey!.key)})`;
  return false;
}

export function stageSkipReason(ctx: BuildContext): string | false {
  if (ctx.jobs.every((job) => job.upToDate)) return `up to date (cached ${shortKey(ctx.stageKey!.key)})`;
  if (ctx.stageCached) return `cached ${shortKey(ctx.stageKey!.key)}`;
  return false;
}

export function jobSkipReason(job: MediaJob): string | false {
  return job.upToDate ? `cached ${shortKey(job.publishKey!.key)}` : false;
}
