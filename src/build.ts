import { Listr, PRESET_TIMER } from 'listr2';
import { CapmediaError } from './errors.js';
import { loadConfig } from './config/load.js';
import type { NormalizedConfig } from './config/normalize.js';
import { exec as realExec, type Exec } from './tools/exec.js';
import { buildTasks } from './tasks/index.js';
import { createBuildContext, type BuildContext, type PublishedOutput } from './tasks/context.js';
import { discardPartials } from './tasks/pack.js';
import { chooseRenderer, type OutputMode } from './render.js';
import { finishCaches } from './tasks/remote/index.js';
import { saveStats, type CacheStats } from './cache/remote/stats.js';
import type { Shard } from './lock/shard.js';
import { loadLock } from './tasks/lock.js';

export interface BuildRequest extends OutputMode {
  cwd?: string;
  configFile?: string;
  /** An already loaded config (library use); skips the file search. */
  config?: NormalizedConfig;
  mediaNames?: string[];
  allowMissingDrivers?: boolean;
  force?: boolean;
  /** --yes: confirm destructive writes (a USB drive) without asking. */
  assumeYes?: boolean;
  ask?: (question: string) => Promise<boolean>;
  signal?: AbortSignal;
  exec?: Exec;
  /** --locked: build exactly what capmedia.lock pins, never write it. */
  locked?: boolean;
  /** --shard k/n: only the k-th share of the media, by name. */
  shard?: Shard;
  /** --keep-going: a failing media does not stop the others; see BuildResult.failures. */
  keepGoing?: boolean;
}

export interface BuildResult {
  outputs: PublishedOutput[];
  /** True when nothing changed since the last build: no step did any work. */
  upToDate: boolean;
  notices: string[];
  /** Step records found in the local and remote caches, and the bytes moved to and from the remote. */
  cache: CacheStats;
  /** With keepGoing: the media that failed, each with its error (the others were built). */
  failures: Array<{ media: string; error: unknown }>;
}

/** Loads the config and runs the task graph under listr2. */
export async function build(request: BuildRequest = {}): Promise<BuildResult> {
  const config = request.config ?? (await loadConfig({ cwd: request.cwd ?? process.cwd(), configFile: request.configFile })).config;
  const ctx = createBuildContext(config, {
    mediaNames: request.mediaNames,
    allowMissingDrivers: request.allowMissingDrivers,
    force: request.force,
    assumeYes: request.assumeYes,
    ask: request.ask,
    signal: request.signal,
    exec: request.exec ?? realExec,
    locked: request.locked,
    keepGoing: request.keepGoing,
    shard: request.shard,
  });
  checkMediaNames(config, request.mediaNames);
  if (ctx.jobs.length === 0) {
    // An empty shard still fails a lock that does not match, like every other runner of the matrix.
    if (request.locked) await loadLock(ctx);
    return {
      outputs: [],
      upToDate: true,
      notices: [`shard ${request.shard?.index}/${request.shard?.count} holds no media`],
      failures: [],
      cache: await recordStats(ctx),
    };
  }
  const renderer = chooseRenderer({ ...request, isTTY: request.isTTY ?? process.stdout.isTTY, ci: request.ci ?? Boolean(process.env.CI) });
  const list = new Listr<BuildContext>(guarded(buildTasks(), request.signal), {
    ctx,
    renderer,
    fallbackRenderer: 'simple',
    registerSignalListeners: false,
    exitOnError: true,
    collectErrors: false,
    rendererOptions: { collapseSubtasks: false, timer: PRESET_TIMER },
    fallbackRendererOptions: { timer: PRESET_TIMER },
  } as never);
  try {
    await list.run();
  } catch (error) {
    await Promise.all(ctx.jobs.map(discardPartials));
    await recordStats(ctx);
    throw request.signal?.aborted ? cancelled() : error;
  }
  const failed = ctx.jobs.filter((job) => job.failure !== undefined);
  await Promise.all(failed.map(discardPartials));
  return {
    outputs: ctx.jobs.flatMap((job) => job.published ?? job.upToDate ?? []),
    upToDate: ctx.jobs.every((job) => job.upToDate),
    notices: ctx.notices,
    cache: await recordStats(ctx),
    failures: failed.map((job) => ({ media: job.media.name, error: job.failure })),
  };
}

/** Stops between steps once Ctrl-C was pressed; child processes are stopped through execa's cancelSignal. */
function guarded(tasks: ReturnType<typeof buildTasks>, signal?: AbortSignal): ReturnType<typeof buildTasks> {
  return tasks.map((task) => ({
    ...task,
    task: (ctx, wrapper) => {
      if (signal?.aborted) throw cancelled();
      return (task.task as (c: BuildContext, w: typeof wrapper) => unknown)(ctx, wrapper) as never;
    },
  }));
}

/** For `capmedia cache stats`: what the caches did in the last build, finished or not. Uploads end first. */
async function recordStats(ctx: BuildContext): Promise<CacheStats> {
  const stats = await finishCaches(ctx);
  await saveStats(ctx.config.cacheDir, stats).catch(() => undefined);
  return stats;
}

function cancelled(): CapmediaError {
  return new CapmediaError('CANCELLED', 'The build was cancelled; previous outputs are untouched.', {
    hint: 'Run the same command again to build.',
  });
}

function checkMediaNames(config: NormalizedConfig, names?: string[]): void {
  const unknown = (names ?? []).filter((name) => !config.media.some((m) => m.name === name));
  if (unknown.length) {
    throw new CapmediaError('USAGE', `No media named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in the config.`, {
      hint: `Media in this config: ${config.media.map((m) => m.name).join(', ')}.`,
    });
  }
}
