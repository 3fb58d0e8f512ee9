import { loadConfig } from './config/load.js';
import type { NormalizedConfig } from './config/normalize.js';
import { diffPreimages, shortKey } from './cache/key.js';
import { exec as realExec, type Exec } from './tools/exec.js';
import { createBuildContext, type BuildContext } from './tasks/context.js';
import { lockDigest, serializeLock } from './lock/lockfile.js';
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
  await loadLock(ctx);
  await preflight(ctx);
  ctx.resolved = await resolveContent(ctx);
  checkMediaNames(ctx);
  await planBuild(ctx);
  await lookupCaches(ctx);
  await finishCaches(ctx);
  const contentBytes = [ctx.resolved.bootImage, ...ctx.resolved.content].reduce(
    (sum, p) => sum + p.files.reduce((s, f) => s + f.size, 0),
    0,
  );
  const plans: MediaPlan[] = [];
  for (const job of ctx.jobs) {
    const last = await ctx.actions.lastPreimages(job.id);
    const stageCached = Boolean(ctx.stageCached || job.upToDate);
    const remote = Boolean(job.remoteRecord);
    const stageRemote = !stageCached && (remote || Boolean(ctx.remoteStage));
    const step = (
      name: string,
      cached: boolean | 'remote',
      key: { key: string; preimage: Record<string, unknown> },
      previous?: Record<string, unknown>,
    ): StepPlan => ({
      step: name,
      state: cached === 'remote' ? 'remote' : cached ? 'cached' : 'to run',
      key: shortKey(key.key),
      reasons: cached ? [] : ctx.options.force ? ['--force'] : diffPreimages(previous, key.preimage),
    });
    plans.push({
      media: job.media.name,
      type: job.media.type,
      outputs: job.upToDate?.map((o) => o.path) ?? [job.media.output],
      contentBytes,
      capacity: Number.isFinite(job.media.capacity) ? job.media.capacity : null,
      // a media never built has no versions to compare with
      packageChanges: job.upToDate || !last.stage ? [] : packageChanges(last.stage.packages, ctx.stageKey!.preimage.packages),
      steps: [
        step('verify distribution', stageCached, ctx.stageKey!, last.stage),
        step('stage', stageRemote ? 'remote' : stageCached, ctx.stageKey!, last.stage),
        step('format/pack', remote ? 'remote' : Boolean(job.upToDate), job.packKey!, last.pack),
        step('split', remote ? 'remote' : Boolean(job.upToDate), job.publishKey!, last.publish),
        step('label', Boolean(job.upToDate), job.publishKey!, last.publish),
      ],
    });
  }
  return { media: plans, lock: lockPlan(ctx) };
}

/** What build would do with capmedia.lock, and which version of each package it would use. */
function lockPlan(ctx: BuildContext): LockPlan {
  const next = ctx.resolved!.lock;
  const state = !ctx.lock ? 'would be written' : serializeLock(ctx.lock) === serializeLock(next) ? 'up to date' : 'would follow the config';
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
        from: ctx.resolved!.pinned.has(id) ? 'lock' : 'latest',
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
