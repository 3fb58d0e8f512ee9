import type { ListrTask, ListrTaskWrapper } from 'listr2';
import { formatBytes } from '../config/size.js';
import { describeProgress } from '../cache/fetch.js';
import { fail } from '../errors/index.js';
import type { BuildContext } from './context.js';
import { verifyDistributionTasks } from './verify.js';
import { stageSkipReason, verifySkipReason } from './plan.js';
import { packOrRestore, publishThenUpload, resolveAndPlan, splitUnlessRestored, stagedBefore, stageMedia, type Staging } from './steps.js';
import { perMedia, type MediaStepSpec } from './per-media.js';
import { finishCaches } from './remote/index.js';
import { produce } from './produced.js';
import type { BuildRun, MediaRun, Planned } from './run.js';
import type { Packed, PackSource, PublishedOutput, Sources, Volumes } from './results.js';

type Task = ListrTask<unknown>;
type Wrapper = ListrTaskWrapper<unknown, any, any>;

/** The whole build, in the order the user sees it (SPEC §2); each step's result reaches the next through `run`. */
export function buildTasks(ctx: BuildContext, run: BuildRun): Task[] {
  return [
    { title: 'resolve content', task: (_, task) => resolve(ctx, run, task) },
    { title: 'verify distribution', task: (_, task) => verify(ctx, run, task) },
    { title: 'stage', task: (_, task) => stage(ctx, run, task) },
    { title: 'format/pack', task: (_, task) => eachMedia(ctx, run, task, pack) },
    { title: 'split', task: (_, task) => eachMedia(ctx, run, task, split) },
    { title: 'label', task: (_, task) => eachMedia(ctx, run, task, label) },
    { title: 'remote cache', enabled: () => Boolean(ctx.services.remote), task: (_, task) => finishRemote(ctx, task) },
  ];
}

async function resolve(ctx: BuildContext, run: BuildRun, task: Wrapper): Promise<void> {
  const { lockNote, plan } = await produce(run.planned, () => resolveAndPlan(ctx));
  if (lockNote) task.output = lockNote;
  if (plan.jobs.every((job) => job.upToDate)) task.title = 'resolve content: up to date, nothing to do';
}

/** One subtask per distribution point, in parallel (R3, R4); skipped when nothing is to be fetched. */
async function verify(ctx: BuildContext, run: BuildRun, task: Wrapper) {
  const { resolved, plan } = await run.planned.value;
  const reason = verifySkipReason(plan);
  if (!reason) {
    const tasks = verifyDistributionTasks(ctx.config, ctx.services.dps, resolved, run.sources.resolve);
    return task.newListr(tasks, { concurrent: false, exitOnError: true });
  }
  run.sources.resolve(undefined);
  task.skip(reason);
}

async function stage(ctx: BuildContext, run: BuildRun, task: Wrapper): Promise<void> {
  const planned = await run.planned.value;
  const sources = await run.sources.value;
  const toBuild = planned.media.filter((media) => !media.plan.upToDate);
  const reason = stageSkipReason(planned.plan);
  if (reason) {
    startFromCache(ctx, planned, toBuild, sources);
    return task.skip(reason);
  }
  ctx.services.store.onProgress = (progress) => (task.output = describeProgress(progress));
  const staging = await stageMedia(ctx, planned, sources, toBuild);
  for (const { media, source } of staging.starts) media.source.resolve({ state: 'done', value: source });
  if (staging.staged) task.output = describeStaging(staging.staged);
  else task.title = 'stage: nothing to stage, the finished media come from the remote cache';
}

/** Stage has its record here: every media to build starts from the recorded layout. */
function startFromCache(ctx: BuildContext, planned: Planned, toBuild: MediaRun[], sources: Sources | undefined): void {
  const layout = planned.plan.cachedStage;
  for (const media of toBuild) {
    if (layout) media.source.resolve({ state: 'done', value: stagedBefore(ctx, layout, sources, media) });
    else media.source.reject(fail('unexpected', { reason: 'the stage step was skipped without a recorded layout' }));
  }
}

async function eachMedia<I, O>(
  ctx: BuildContext,
  run: BuildRun,
  task: Wrapper,
  step: (ctx: BuildContext, planned: Planned) => MediaStepSpec<I, O>,
) {
  const planned = await run.planned.value;
  return perMedia(ctx, task, planned.media, step(ctx, planned));
}

const pack = (ctx: BuildContext, planned: Planned): MediaStepSpec<PackSource, Packed> => ({
  from: (media) => media.source,
  to: (media) => media.packed,
  run: (media, source) => packOrRestore(ctx, planned, media, source),
  describe: describePacked,
});

const split = (ctx: BuildContext, planned: Planned): MediaStepSpec<Packed, Volumes> => ({
  from: (media) => media.packed,
  to: (media) => media.volumes,
  run: (media, packed) => splitUnlessRestored(ctx, planned, media, packed),
  describe: (volumes) => describeVolumes(volumes.volumes),
});

const label = (ctx: BuildContext, planned: Planned): MediaStepSpec<Volumes, PublishedOutput[]> => ({
  from: (media) => media.volumes,
  to: (media) => media.published,
  run: (media, volumes) => publishThenUpload(ctx, planned, media, volumes),
  describe: (outputs) => outputs.map((o) => `${o.path} (${formatBytes(o.size)})`).join(', '),
});

async function finishRemote(ctx: BuildContext, task: Wrapper): Promise<void> {
  task.output = 'waiting for the uploads';
  const stats = (await finishCaches(ctx.services)).remote;
  if (!stats) return;
  task.title = `remote cache: ${stats.hits} hit(s), ${stats.misses} miss(es), ${formatBytes(stats.bytesDown)} down, ${formatBytes(stats.bytesUp)} up${stats.unreachable ? ' (unreachable: built locally)' : ''}`;
}

function describeStaging({ files, fetched, fromRemote }: NonNullable<Staging['staged']>): string {
  const total = files.reduce((s, f) => s + f.size, 0);
  const from = fromRemote ? ' from the remote cache' : '';
  return `${files.length} files, ${formatBytes(total)}: fetched ${fetched.files} file(s), ${formatBytes(fetched.bytes)}${from}; the rest was in the cache`;
}

function describePacked(packed: Packed, media: MediaRun): string {
  if (packed.kind === 'restored') return describeVolumes(packed.volumes);
  if (packed.kind === 'oversize')
    return `${formatBytes(packed.size)} > media.size ${JSON.stringify(media.plan.job.media.sizeSpec)}: split into volumes`;
  return formatBytes(packed.size);
}

function describeVolumes(volumes: ReadonlyArray<{ size: number }>): string {
  return volumes.length === 1 ? 'one volume' : `${volumes.length} volumes: ${volumes.map((v) => formatBytes(v.size)).join(', ')}`;
}
