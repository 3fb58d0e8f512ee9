import { loadConfig } from './config/load.js';
import type { NormalizedConfig } from './config/normalize.js';
import { diffPreimages, shortKey } from './cache/key.js';
import { exec as realExec, type Exec } from './tools/exec.js';
import { createBuildContext, type BuildContext } from './tasks/context.js';
import { lockDigest, serializeLock, type LockFile } from './lock/lockfile.js';
import type { JobPlan, Plan, Resolved, StepKey } from './tasks/results.js';
import { resolveContent } from './tasks/resolve.js';
import { checkMediaNames } from './tasks/names.js';
import { requireMediaNames } from './config/media-names.js';
import { planBuild } from './tasks/plan.js';
import { finishCaches, lookupCaches } from './tasks/remote/index.js';
import { loadLock } from './tasks/lock.js';
import { preflight } from './tasks/preflight.js';

export interface StepPlan {
  step: string;
  /** cached: in the local cache; remote: its result comes from the remote cache; to run: built here. */
  state: 'cached' | 'remote' | 'to run';
  key: string;
  /** Why it runs: which inputs changed since the last build of this media. */
  reasons: string[];
}

/** `capmedia plan`: every media's plan and what happens to capmedia.lock. */
export interface BuildPlan {
  media: MediaPlan[];
  lock: LockPlan;
}

export interface LockPlan {
  path: string;
  state: 'up to date' | 'would be written' | 'would follow the config';
  /** The digest the media would carry (SMS/data/MediaContent.json). */
  digest: string;
  /** from: "lock" = the pinned version, "latest" = what the distribution point offers now (not yet locked). */
  packages: Array<{ id: string; version: string; manifestSha256: string; from: 'lock' | 'latest' }>;
}

export interface MediaPlan {
  media: string;
  type: string;
  outputs: string[];
  contentBytes: number;
  capacity: number | null;
  steps: StepPlan[];
  /** Package versions this media would carry that differ from its last build: "CM100007 1.0 (…) → 2.0 (…)". */
  packageChanges: string[];
}

/** What `build` would do, without doing it: per step cached or to run, and why. Writes nothing, so confirmations are moot. */
export async function plan(request: {
  cwd?: string;
  configFile?: string;
  config?: NormalizedConfig;
  mediaNames?: string[];
  exec?: Exec;
  force?: boolean;
}): Promise<BuildPlan> {
  const config = request.config ?? (await loadConfig({ cwd: request.cwd ?? process.cwd(), configFile: request.configFile })).config;
  requireMediaNames(config, request.mediaNames);
  const ctx = createBuildContext(config, {
    mediaNames: request.mediaNames,
    exec: request.exec ?? realExec,
    force: request.force,
    assumeYes: true,
    readOnly: true,
  });
  const previousLock = await loadLock(ctx);
  await preflight(ctx);
  const resolved = await resolveContent(ctx, previousLock);
  checkMediaNames(ctx, resolved);
  const buildPlan = await lookupCaches(ctx, await planBuild(ctx, resolved));
  await finishCaches(ctx.services);
  const contentBytes = [resolved.bootImage, ...resolved.content].reduce((sum, p) => sum + p.files.reduce((s, f) => s + f.size, 0), 0);
  const plans: MediaPlan[] = [];
  for (const job of buildPlan.jobs) plans.push(await mediaPlan(ctx, buildPlan, job, contentBytes));
  return { media: plans, lock: lockPlan(ctx, previousLock, resolved) };
}

/** One media's steps: cached here, in the remote cache, or to run and why. */
async function mediaPlan(ctx: BuildContext, buildPlan: Plan, job: JobPlan, contentBytes: number): Promise<MediaPlan> {
  const { media } = job.job;
  const last = await ctx.services.actions.lastPreimages(job.job.id);
  const upToDate = Boolean(job.upToDate);
  const stageCached = Boolean(buildPlan.cachedStage) || upToDate;
  const remote = Boolean(job.remoteRecord);
  const stageRemote = !stageCached && (remote || Boolean(buildPlan.remoteStage.record));
  const step = (name: string, cached: boolean | 'remote', key: StepKey, previous?: Record<string, unknown>): StepPlan => ({
    step: name,
    state: cached === 'remote' ? 'remote' : cached ? 'cached' : 'to run',
    key: shortKey(key.key),
    reasons: cached ? [] : ctx.options.force ? ['--force'] : diffPreimages(previous, key.preimage),
  });
  return {
    media: media.name,
    type: media.type,
    outputs: job.upToDate?.map((o) => o.path) ?? [media.output],
    contentBytes,
    capacity: Number.isFinite(media.capacity) ? media.capacity : null,
    // a media never built has no versions to compare with
    packageChanges: job.upToDate || !last.stage ? [] : packageChanges(last.stage.packages, buildPlan.stageKey.preimage.packages),
    steps: [
      step('verify distribution', stageCached, buildPlan.stageKey, last.stage),
      step('stage', stageRemote ? 'remote' : stageCached, buildPlan.stageKey, last.stage),
      step('format/pack', remote ? 'remote' : upToDate, job.packKey, last.pack),
      step('split', remote ? 'remote' : upToDate, job.publishKey, last.publish),
      step('label', upToDate, job.publishKey, last.publish),
    ],
  };
}

/** What build would do with capmedia.lock, and which version of each package it would use. */
function lockPlan(ctx: BuildContext, previous: LockFile | undefined, resolved: Resolved): LockPlan {
  const next = resolved.lock;
  const state = !previous ? 'would be written' : serializeLock(previous) === serializeLock(next) ? 'up to date' : 'would follow the config';
  return {
    path: ctx.lockPath,
    state,
    digest: lockDigest(next),
    packages: Object.entries(next.packages)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, e]) => ({
        id,
        version: e.version,
        manifestSha256: e.manifestSha256,
        from: resolved.pinned.has(id) ? 'lock' : 'latest',
      })),
  };
}

/** Per package, the version the last build carried and the one the next would. */
function packageChanges(previous: unknown, current: unknown): string[] {
  const before = (previous ?? {}) as Record<string, string>;
  const after = (current ?? {}) as Record<string, string>;
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return ids.filter((id) => before[id] !== after[id]).map((id) => `${id} ${before[id] ?? '(none)'} → ${after[id] ?? '(none)'}`);
}
