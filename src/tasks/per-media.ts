import type { ListrTask, ListrTaskWrapper } from 'listr2';
import { isCapmediaError, withContext } from '../errors/index.js';
import type { BuildContext, MediaJob } from './context.js';
import type { Produced } from './produced.js';
import type { MediaStep } from './results.js';
import { mediaSkipReason } from './plan.js';
import type { MediaRun } from './run.js';

type Wrapper = ListrTaskWrapper<unknown, any, any>;

/** One of steps 4–6: where its input is, where its result goes, the work, and a line about the result. */
export interface MediaStepSpec<I, O> {
  from: (media: MediaRun) => Produced<MediaStep<I>>;
  to: (media: MediaRun) => Produced<MediaStep<O>>;
  run: (media: MediaRun, input: I) => Promise<O>;
  describe: (result: O, media: MediaRun) => string;
}

/**
 * Steps 4–6 run once per media entry; with one entry there is no extra
 * level. --keep-going: a media's failure is its result, so its later steps
 * are skipped while the others go on.
 */
export function perMedia<I, O>(ctx: BuildContext, task: Wrapper, media: MediaRun[], spec: MediaStepSpec<I, O>) {
  if (media.length === 1) return advance(media[0], spec, task, { name: (error) => error, keep: () => false, showResult: true });
  const keepGoing = Boolean(ctx.options.keepGoing);
  const subtasks: ListrTask<unknown>[] = media.map((m) => ({
    title: m.plan.job.media.name,
    task: (_, sub: Wrapper) =>
      advance(m, spec, sub, {
        name: (error) => namingMedia(error, m.plan.job),
        // --keep-going: remember it, so this media's later steps are skipped while the others go on.
        keep: () => keepGoing && !ctx.services.signal?.aborted,
        showResult: false,
      }),
  }));
  return task.newListr(subtasks, { concurrent: false, exitOnError: !keepGoing });
}

/** How a media's step reports: one media alone, or one of several (named, and under --keep-going kept going). */
interface Reporting {
  name: (error: unknown) => unknown;
  /** The failure becomes this media's result (the build goes on), rather than the build's error. */
  keep: () => boolean;
  /** A line about the result under the step (one media: there is no line per media to carry it). */
  showResult: boolean;
}

async function advance<I, O>(media: MediaRun, spec: MediaStepSpec<I, O>, task: Wrapper, reporting: Reporting): Promise<void> {
  const input = await spec.from(media).value;
  const out = spec.to(media);
  if (input.state !== 'done') {
    out.resolve(input);
    return task.skip(mediaSkipReason(input) || undefined);
  }
  try {
    const result = await spec.run(media, input.value);
    out.resolve({ state: 'done', value: result });
    if (reporting.showResult) task.output = spec.describe(result, media);
  } catch (error) {
    const named = reporting.name(error);
    if (reporting.keep()) out.resolve({ state: 'failed', error: named });
    else out.reject(named);
    throw named;
  }
}

/** With several media, an error says which one it is about. */
function namingMedia(error: unknown, job: MediaJob): unknown {
  if (isCapmediaError(error) && !error.message.includes(`"${job.media.name}"`)) return withContext(error, `Media "${job.media.name}": `);
  return error;
}
