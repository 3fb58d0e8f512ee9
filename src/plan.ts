import { loadConfig } from './config/load.js';
import type { NormalizedConfig } from './config/normalize.js';
import { diffPreimages, shortKey } from './cache/key.js';
import { exec as realExec, type Exec } from './tools/exec.js';
import { createBuildContext } from './tasks/context.js';
import { resolveContent } from './tasks/resolve.js';
import { planBuild } from './tasks/plan.js';
import { finishCaches, lookupCaches } from './tasks/remote/index.js';

export interface StepPlan {
  step: string;
  /** cached: in the local cache; remote: its result comes from the remote cache; to run: built here. */
  state: 'cached' | 'remote' | 'to run';
  key: string;
  /** Why it runs: which inputs changed since the last build of this media. */
  reasons: string[];
}

export interface MediaPlan {
  media: string;
  type: string;
  outputs: string[];
  contentBytes: number;
  capacity: number | null;
  steps: StepPlan[];
}

/** What `build` would do, without doing it: per step cached or to run, and why. Writes nothing, so confirmations are moot. */
export async function plan(request: {
  cwd?: string;
  configFile?: string;
  config?: NormalizedConfig;
  mediaNames?: string[];
  exec?: Exec;
  force?: boolean;
}): Promise<MediaPlan[]> {
  const config = request.config ?? (await loadConfig({ cwd: request.cwd ?? process.cwd(), configFile: request.configFile })).config;
  const ctx = createBuildContext(config, {
    mediaNames: request.mediaNames,
    exec: request.exec ?? realExec,
    force: request.force,
    assumeYes: true,
  });
  ctx.resolved = await resolveContent(ctx);
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
      steps: [
        step('verify distribution', stageCached, ctx.stageKey!, last.stage),
        step('stage', stageRemote ? 'remote' : stageCached, ctx.stageKey!, last.stage),
        step('format/pack', remote ? 'remote' : Boolean(job.upToDate), job.packKey!, last.pack),
        step('split', remote ? 'remote' : Boolean(job.upToDate), job.publishKey!, last.publish),
        step('label', Boolean(job.upToDate), job.publishKey!, last.publish),
      ],
    });
  }
  return plans;
}
