import type { ListrTask, ListrTaskWrapper } from 'listr2';
import type { BuildContext, MediaJob } from './context.js';
import { resolveContent } from './resolve.js';
import { checkMediaNames } from './names.js';
import { checkDistributionPoint, chooseSources, describeCheck, pinsOf } from './verify.js';
import { stageContent } from './stage.js';
import { publishMedia } from './label.js';
import {
  finishCaches,
  lookupCaches,
  lookupRemoteStage,
  packOrRestore,
  publishThenUpload,
  restoreMediaFromRemote,
  splitUnlessRestored,
  stageFromRemote,
  uploadStage,
} from './remote/index.js';
import { loadLock, settleLock } from './lock.js';
import { jobSkipReason, planBuild, stageSkipReason, verifySkipReason } from './plan.js';
import { formatBytes } from '../config/size.js';
import { CapmediaError } from '../errors/index.js';
import { describeProgress } from '../cache/fetch.js';

type Task = ListrTask<BuildContext>;
type Wrapper = ListrTaskWrapper<BuildContext, any, any>;

/** The whole build, in the order the user sees it (SPEC §2). */
export function buildTasks(): Task[] {
  return [
    { title: 'resolve content', task: (ctx, task) => resolveAndPlan(ctx, task) },
    { title: 'verify distribution', skip: verifySkipReason, task: (ctx, task) => verifyAllDistributionPoints(ctx, task) },
    { title: 'stage', skip: stageSkipReason, task: (ctx, task) => stage(ctx, task) },
    { title: 'format/pack', task: (ctx, task) => perMedia(ctx, task, packOrRestore) },
    { title: 'split', task: (ctx, task) => perMedia(ctx, task, splitUnlessRestored) },
    { title: 'label', task: (ctx, task) => perMedia(ctx, task, (c, job) => publishThenUpload(c, job, publishMedia)) },
    { title: 'remote cache', enabled: (ctx) => Boolean(ctx.remote), task: (ctx, task) => finishRemote(ctx, task) },
  ];
}

async function resolveAndPlan(ctx: BuildContext, task: Wrapper): Promise<void> {
  await loadLock(ctx);
  ctx.resolved = await resolveContent(ctx);
  checkMediaNames(ctx);
  const lockNote = await settleLock(ctx);
  if (lockNote) task.output = lockNote;
  await planBuild(ctx);
  await lookupCaches(ctx);
  if (ctx.jobs.every((job) => job.upToDate)) task.title = 'resolve content: up to date, nothing to do';
}

async function stage(ctx: BuildContext, task: Wrapper): Promise<void> {
  ctx.store.onProgress = (progress) => (task.output = describeProgress(progress));
  if (await restoreMediaFromRemote(ctx)) {
    task.title = 'stage: nothing to stage, the finished media come from the remote cache';
    return;
  }
  await lookupRemoteStage(ctx);
  const remote = await stageFromRemote(ctx);
  const { files, fetched } = remote ?? (await stageContent(ctx));
  ctx.layout = files;
  await ctx.actions.put('stage', ctx.stageKey!.key, ctx.stageKey!.preimage, { files });
  uploadStage(ctx, files);
  const total = files.reduce((s, f) => s + f.size, 0);
  const from = remote ? ' from the remote cache' : '';
  task.output = `${files.length} files, ${formatBytes(total)}: fetched ${fetched.files} file(s), ${formatBytes(fetched.bytes)}${from}; the rest was in the cache`;
}

async function finishRemote(ctx: BuildContext, task: Wrapper): Promise<void> {
  task.output = 'waiting for the uploads';
  const stats = (await finishCaches(ctx)).remote!;
  task.title = `remote cache: ${stats.hits} hit(s), ${stats.misses} miss(es), ${formatBytes(stats.bytesDown)} down, ${formatBytes(stats.bytesUp)} up${stats.unreachable ? ' (unreachable: built locally)' : ''}`;
}

/** One subtask per distribution point, in parallel (R3, R4). */
function verifyAllDistributionPoints(ctx: BuildContext, task: Wrapper) {
  const packages = [ctx.resolved!.bootImage, ...ctx.resolved!.content];
  const reports: Awaited<ReturnType<typeof checkDistributionPoint>>[] = [];
  return task.newListr<BuildContext>(
    [
      {
        title: 'check every distribution point',
        task: (_c: BuildContext, sub: Wrapper) =>
          sub.newListr<BuildContext>(
            ctx.dps.map((dp) => ({
              title: dp.name,
              task: async (_: BuildContext, leaf: Wrapper) => {
                const report = await checkDistributionPoint(dp, packages, pinsOf(ctx.resolved!));
                reports.push(report);
                const bad = [...report.checks].filter(([, c]) => c.status !== 'ok');
                leaf.title = bad.length
                  ? `${dp.name}: ${bad.map(([id, c]) => `${id} ${describeCheck(c)}`).join(' | ')}`
                  : `${dp.name}: ${packages.length} package(s) complete`;
              },
            })),
            { concurrent: true, exitOnError: false },
          ),
      },
      {
        title: 'choose a distribution point',
        task: (c: BuildContext, sub: Wrapper) => {
          c.sources = chooseSources(c, c.resolved!, reports);
          sub.title = `using ${c.sources.get(c.resolved!.bootImage.id)![0].name} for the boot image`;
        },
      },
    ],
    { concurrent: false, exitOnError: true },
  );
}

/** Steps 4–6 run once per media entry; with one entry there is no extra level. */
function perMedia(ctx: BuildContext, task: Wrapper, step: (ctx: BuildContext, job: MediaJob) => Promise<void>) {
  if (ctx.jobs.length === 1) {
    const job = ctx.jobs[0];
    const reason = jobSkipReason(job);
    if (reason) return task.skip(reason);
    return step(ctx, job).then(() => void (task.output = summary(job)));
  }
  const keepGoing = Boolean(ctx.options.keepGoing);
  return task.newListr<BuildContext>(
    ctx.jobs.map((job) => ({
      title: job.media.name,
      skip: () => (job.failure !== undefined ? 'failed in an earlier step' : jobSkipReason(job)),
      task: () =>
        step(ctx, job).catch((error) => {
          const named = namingMedia(error, job);
          // --keep-going: remember it, so this media's later steps are skipped while the others go on.
          if (keepGoing && !ctx.options.signal?.aborted) job.failure = named;
          return Promise.reject(named);
        }),
    })),
    { concurrent: false, exitOnError: !keepGoing },
  );
}

/** With several media, an error says which one it is about. */
function namingMedia(error: unknown, job: MediaJob): unknown {
  if (error instanceof CapmediaError && !error.message.includes(`"${job.media.name}"`)) {
    return new CapmediaError(error.code, `Media "${job.media.name}": ${error.message}`, {
      hint: error.hint,
      detail: error.detail,
      cause: error,
    });
  }
  return error;
}

function summary(job: MediaJob): string {
  if (job.published) return job.published.map((o) => `${o.path} (${formatBytes(o.size)})`).join(', ');
  if (job.volumes)
    return job.volumes.length === 1
      ? 'one volume'
      : `${job.volumes.length} volumes: ${job.volumes.map((v) => formatBytes(v.size)).join(', ')}`;
  if (job.oversize) return `${formatBytes(job.oversize)} > media.size ${JSON.stringify(job.media.sizeSpec)}: split into volumes`;
  if (job.packed) return `${formatBytes(job.packed.size)}`;
  return '';
}
