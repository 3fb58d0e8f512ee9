import { readdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ContentStore } from '../cache/store.js';
import { shortKey } from '../cache/key.js';
import type { BuildContext, MediaJob } from './context.js';
import type { LayoutEntry } from './layout.js';
import type { JobPlan, MediaStep, Plan, PublishedOutput, PublishRecord, Resolved, StageRecord } from './results.js';
import { packKey, publishKey, stageKey } from './keys.js';

/**
 * Computes every step's key and looks up its record in the local cache, so
 * each step knows before it starts whether it has anything to do.
 */
export async function planBuild(ctx: BuildContext, resolved: Resolved): Promise<Plan> {
  const { config, services } = ctx;
  const stage = stageKey(config, resolved);
  const inputs = { config, resolved, tools: await services.toolIds(), sourceDateEpoch: services.sourceDateEpoch };
  const jobs: JobPlan[] = [];
  for (const job of ctx.jobs) {
    const pack = await packKey(inputs, job, stage);
    const publish = publishKey(job, pack);
    const upToDate = ctx.options.force ? undefined : await publishedIntact(ctx, job, publish.key);
    jobs.push({ job, packKey: pack, publishKey: publish, upToDate, remoteRecord: undefined });
  }
  const staged = ctx.options.force ? undefined : await services.actions.get<StageRecord>(stage.key);
  const layout = staged?.outputs.files;
  // When every output is up to date nothing will be laid out, so the blobs need not be looked at.
  const cachedStage = layout && (jobs.every((j) => j.upToDate) || allBlobsPresent(services.store, layout)) ? layout : undefined;
  return { stageKey: stage, stageRecorded: layout !== undefined, cachedStage, remoteStage: { asked: false, record: undefined }, jobs };
}

async function publishedIntact(ctx: BuildContext, job: MediaJob, key: string): Promise<PublishedOutput[] | undefined> {
  const published = await ctx.services.actions.get<PublishRecord>(key);
  return published && (await outputsIntact(ctx, job, published.outputs.outputs)) ? published.outputs.outputs : undefined;
}

/**
 * Whether the store holds every blob of a recorded layout: one listing per shard folder, not a stat per blob (~20 ms
 * for 4,000 files). Sizes are not compared here: pack checks each blob it reads and fetches a damaged one again.
 */
export function allBlobsPresent(store: ContentStore, files: readonly LayoutEntry[]): boolean {
  const listings = new Map<string, Set<string>>();
  return files.every((file) => {
    const path = store.path(file.sha256);
    const folder = dirname(path);
    let names = listings.get(folder);
    if (!names) listings.set(folder, (names = new Set(listFolder(folder))));
    return names.has(basename(path));
  });
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** The outputs are still what we published: same bytes (stat cache, re-hashed when the stat changed), sidecars present. */
async function outputsIntact(ctx: BuildContext, job: MediaJob, outputs: readonly PublishedOutput[]): Promise<boolean> {
  const type = ctx.config.registry.mediaType(job.media.type);
  for (const output of outputs) {
    const current = type.outputDigest
      ? await type.outputDigest(output.path).catch(() => undefined)
      : (await ctx.services.statCache.sha256(output.path).catch(() => undefined))?.sha256;
    if (current !== output.sha256) return false;
    if (!(await exists(`${output.path}.sha256`))) return false;
  }
  return outputs.length > 0;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const allUpToDate = (plan: Plan) => plan.jobs.every((job) => job.upToDate);

/** listr2 skip reasons: a string is shown in the log. */
export function verifySkipReason(plan: Plan): string | false {
  if (allUpToDate(plan)) return 'up to date: nothing to fetch';
  if (plan.cachedStage) return `nothing to fetch: all content is in the local cache (stage cached ${shortKey(plan.stageKey.key)})`;
  return false;
}

export function stageSkipReason(plan: Plan): string | false {
  if (allUpToDate(plan)) return `up to date (cached ${shortKey(plan.stageKey.key)})`;
  if (plan.cachedStage) return `cached ${shortKey(plan.stageKey.key)}`;
  return false;
}

/** Why a media's step has nothing to do: it was up to date from the start, or (--keep-going) an earlier step failed. */
export function mediaSkipReason(step: MediaStep<unknown>): string | false {
  if (step.state === 'up to date') return `cached ${shortKey(step.key)}`;
  if (step.state === 'failed') return 'failed in an earlier step';
  return false;
}
