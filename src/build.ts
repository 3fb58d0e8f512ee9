import { Listr, PRESET_TIMER } from 'listr2';
import { rm } from 'node:fs/promises';
import { fail, isCapmediaError, withContext, type CapmediaError } from './errors/index.js';
import { loadConfig } from './config/load.js';
import type { NormalizedConfig } from './config/normalize.js';
import { exec as realExec, programsEnded, type Exec } from './tools/exec.js';
import { buildTasks } from './tasks/index.js';
import { createBuildContext, type BuildContext } from './tasks/context.js';
import type { PublishedOutput } from './tasks/results.js';
import { createRun, outcomeOf, unpublishedPartials, type BuildRun } from './tasks/run.js';
import { chooseRenderer, type OutputMode } from './render.js';
import { finishCaches } from './tasks/remote/index.js';
import { saveStats, type CacheStats } from './cache/remote/stats.js';
import type { Shard } from './lock/shard.js';
import { loadLock } from './tasks/lock.js';
import { preflight } from './tasks/preflight.js';
import { lockOutputs } from './tasks/locks.js';
import { removeTrackedPartials } from './fs/partials.js';
import { previousVersionsRemoved } from './fs/atomic.js';
import { untilAborted } from './abort.js';
import { requireMediaNames } from './config/media-names.js';

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
  /** Lines for the user outside the task list (waiting for another build's lock); default: stderr. */
  log?: (line: string) => void;
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
  requireMediaNames(config, request.mediaNames);
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
  await preflight(ctx);
  const renderer = chooseRenderer({ ...request, isTTY: request.isTTY ?? process.stdout.isTTY, ci: request.ci ?? Boolean(process.env.CI) });
  const run = createRun();
  const list = new Listr<unknown>(guarded(buildTasks(ctx, run), request.signal), {
    renderer,
    fallbackRenderer: 'simple',
    registerSignalListeners: false,
    exitOnError: true,
    collectErrors: false,
    rendererOptions: { collapseSubtasks: false, timer: PRESET_TIMER },
    fallbackRendererOptions: { timer: PRESET_TIMER },
  } as never);
  // Two builds of one output never race: the second waits, then finds the first's result up to date.
  const locks = await lockOutputs(ctx, request.log ?? ((line) => process.stderr.write(`${line}\n`)));
  try {
    // A step stuck in a call that ignores the signal must not hold up Ctrl-C: stop waiting for it.
    await untilAborted(list.run(), request.signal, cancelled);
    // Under the output's lock: the next build of it finds no previous version still being removed.
    await previousVersionsRemoved();
  } catch (error) {
    // A program stopped by the signal may create its output file while it dies: let it exit first, if it does so soon.
    if (request.signal?.aborted) await programsEnded(PROGRAMS_STOP_MS);
    await discard(unpublishedPartials(run, false));
    await recordStats(ctx);
    // Abandoned steps may still hold temp files; only on cancel, as other builds in this process may be writing theirs.
    if (request.signal?.aborted) await removeTrackedPartials();
    await previousVersionsRemoved().catch(() => undefined);
    throw request.signal?.aborted ? cancelled() : error;
  } finally {
    await locks.release();
  }
  return finish(ctx, run);
}

/** A cancelled build ends within a second (README, "Interrupts and concurrency"); part of it may go to programs still stopping. */
const PROGRAMS_STOP_MS = 600;

/** --keep-going: the failed media's temp files go; the others are published. */
async function finish(ctx: BuildContext, run: BuildRun): Promise<BuildResult> {
  const outcome = await outcomeOf(run);
  await discard(unpublishedPartials(run, true));
  return { ...outcome, notices: ctx.services.notices, cache: await recordStats(ctx) };
}

/** Removes the partial files of a failed or cancelled build; the user's previous outputs are never touched. */
async function discard(partials: string[]): Promise<void> {
  await Promise.all(partials.map((path) => rm(path, { recursive: true, force: true })));
}

/** Stops between steps once Ctrl-C was pressed; child processes are stopped through execa's cancelSignal. */
function guarded(tasks: ReturnType<typeof buildTasks>, signal?: AbortSignal): ReturnType<typeof buildTasks> {
  return tasks.map((task) => ({
    ...task,
    task: (ctx, wrapper) => {
      if (signal?.aborted) throw cancelled();
      const result = (task.task as (c: unknown, w: typeof wrapper) => unknown)(ctx, wrapper);
      return (
        result instanceof Promise ? result.catch((error: unknown) => Promise.reject(inStep(String(task.title), error))) : result
      ) as never;
    },
  }));
}

/** For `capmedia cache stats`: what the caches did in the last build, finished or not. Uploads end first. */
async function recordStats(ctx: BuildContext): Promise<CacheStats> {
  const stats = await finishCaches(ctx.services);
  await saveStats(ctx.config.cacheDir, stats).catch(() => undefined);
  return stats;
}

/** A tool's or the file system's own words are never the whole message: say which step met them. */
function inStep(step: string, error: unknown): unknown {
  if (isCapmediaError(error)) return error.code === 'TOOL_FAILED' ? withContext(error, `The ${step} step failed: `) : error;
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.syscall)
    return fail('stepSystemCallFailed', { step, syscall: e.syscall, path: e.path, errno: e.code }, { detail: e.stack, cause: error });
  return error;
}

function cancelled(): CapmediaError {
  return fail('buildCancelled', {});
}
