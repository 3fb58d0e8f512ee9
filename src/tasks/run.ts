import { produced, type Produced } from './produced.js';
import type { JobPlan, MediaStep, PackSource, Packed, Plan, PublishedOutput, Resolved, Sources, Volumes } from './results.js';

/** One media's way through stage → pack → split → label: each step's result, as that step produces it. */
export interface MediaRun {
  readonly plan: JobPlan;
  readonly source: Produced<MediaStep<PackSource>>;
  readonly packed: Produced<MediaStep<Packed>>;
  readonly volumes: Produced<MediaStep<Volumes>>;
  readonly published: Produced<MediaStep<PublishedOutput[]>>;
}

/** What the resolve step hands on: the packages, every step's key and cache state, and one run per media. */
export interface Planned {
  resolved: Resolved;
  plan: Plan;
  media: MediaRun[];
}

/** The build's step results, produced in the graph's order (src/tasks/index.ts). */
export interface BuildRun {
  readonly planned: Produced<Planned>;
  /** verify distribution's choice; undefined when it had nothing to check. */
  readonly sources: Produced<Sources | undefined>;
}

export function createRun(): BuildRun {
  return { planned: produced(), sources: produced() };
}

/** A media up to date from the start is settled at once: every later step passes it through. */
export function mediaRun(plan: JobPlan): MediaRun {
  const run: MediaRun = { plan, source: produced(), packed: produced(), volumes: produced(), published: produced() };
  if (plan.upToDate) run.source.resolve({ state: 'up to date', outputs: plan.upToDate, key: plan.publishKey.key });
  return run;
}

export interface RunOutcome {
  outputs: PublishedOutput[];
  upToDate: boolean;
  failures: Array<{ media: string; error: unknown }>;
}

/** After the task list finished: what each media ended as. */
export async function outcomeOf(run: BuildRun): Promise<RunOutcome> {
  const { plan, media } = await run.planned.value;
  const outcome: RunOutcome = { outputs: [], upToDate: plan.jobs.every((job) => job.upToDate), failures: [] };
  for (const m of media) {
    const end = await m.published.value;
    if (end.state === 'done') outcome.outputs.push(...end.value);
    else if (end.state === 'up to date') outcome.outputs.push(...end.outputs);
    else outcome.failures.push({ media: m.plan.job.media.name, error: end.error });
  }
  return outcome;
}

/** Temp files of media not published (failed, or stopped by a failure elsewhere). */
export function unpublishedPartials(run: BuildRun, onlyFailed: boolean): string[] {
  const media = run.planned.settled()?.media ?? [];
  return media
    .filter((m) => !onlyFailed || m.published.settled()?.state === 'failed')
    .filter((m) => m.published.settled()?.state !== 'done')
    .flatMap((m) => partialsOf(doneValue(m.packed.settled()), doneValue(m.volumes.settled())));
}

/** The temp images of a media not published yet: removed after a failure, the user's previous outputs never. */
function partialsOf(packed: Packed | undefined, volumes: Volumes | undefined): string[] {
  const packedTemps = packed?.kind === 'packed' ? [packed.output] : packed?.kind === 'restored' ? packed.volumes.map((v) => v.temp) : [];
  return [...new Set([...packedTemps, ...(volumes?.volumes ?? []).map((v) => v.temp)])];
}

function doneValue<T>(step: MediaStep<T> | undefined): T | undefined {
  return step?.state === 'done' ? step.value : undefined;
}
