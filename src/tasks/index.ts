import type { ListrTask, ListrTaskWrapper } from 'listr2';
import type { BuildContext, MediaJob } from './context.js';
import { resolveContent } from './resolve.js';
import { checkDistributionPoint, chooseSources, describeCheck } from './verify.js';
import { stageMedia } from './stage.js';
import { packMedia } from './pack.js';
import { planVolumes } from './split.js';
import { publishMedia } from './label.js';
import { formatBytes } from '../config/size.js';

type Task = ListrTask<BuildContext>;

/** The whole build, in the order the user sees it (SPEC §2). */
export function buildTasks(): Task[] {
  return [
    { title: 'resolve content', task: async (ctx) => void (ctx.resolved = await resolveContent(ctx)) },
    { title: 'verify distribution', task: (ctx, task) => verifyAllDistributionPoints(ctx, task) },
    { title: 'stage', task: (ctx, task) => perMedia(ctx, task, stageMedia) },
    { title: 'format/pack', task: (ctx, task) => perMedia(ctx, task, packMedia) },
    { title: 'split', task: (ctx, task) => perMedia(ctx, task, async (_, job) => planVolumes(job)) },
    { title: 'label', task: (ctx, task) => perMedia(ctx, task, publishMedia) },
  ];
}

type Wrapper = ListrTaskWrapper<BuildContext, any, any>;

/** One subtask per distribution point, in parallel (R3, R4). */
function verifyAllDistributionPoints(ctx: BuildContext, task: Wrapper) {
  const packages = [ctx.resolved!.bootImage, ...ctx.resolved!.content];
  const reports: Awaited<ReturnType<typeof checkDistributionPoint>>[] = [];
  return task.newListr<BuildContext>(
    [
      ...ctx.dps.map((dp) => ({
        title: dp.name,
        task: async (_: BuildContext, sub: Wrapper) => {
          const report = await checkDistributionPoint(dp, packages);
          reports.push(report);
          const bad = [...report.checks].filter(([, c]) => c.status !== 'ok');
          sub.title = bad.length ? `${dp.name}: ${bad.map(([id, c]) => `${id} ${describeCheck(c)}`).join(' | ')}` : `${dp.name}: ${packages.length} package(s) complete`;
        },
      })),
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

/** Steps 3–6 run once per media entry; with one entry there is no extra level. */
function perMedia(ctx: BuildContext, task: Wrapper, step: (ctx: BuildContext, job: MediaJob) => Promise<void>) {
  if (ctx.jobs.length === 1) {
    return step(ctx, ctx.jobs[0]).then(() => void (task.output = summary(ctx.jobs[0])));
  }
  return task.newListr<BuildContext>(
    ctx.jobs.map((job) => ({ title: job.media.name, task: () => step(ctx, job) })),
    { concurrent: false, exitOnError: true },
  );
}

function summary(job: MediaJob): string {
  if (job.published) return job.published.map((o) => `${o.path} (${formatBytes(o.size)})`).join(', ');
  if (job.packed) return `${formatBytes(job.packed.size)}`;
  if (job.stagedBytes !== undefined) return `${formatBytes(job.stagedBytes)} staged`;
  return '';
}
