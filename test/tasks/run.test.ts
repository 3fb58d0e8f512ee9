import test from 'ava';
import { createRun, mediaRun, outcomeOf, unpublishedPartials } from '../../src/tasks/run.js';
import type { JobPlan, Plan, PublishedOutput } from '../../src/tasks/results.js';
import { contextFor, resolvedContent } from './_context.js';

const output = (media: string): PublishedOutput => ({ media, path: `/out/${media}.iso`, size: 1, sha256: 'f'.repeat(64), label: 'L' });

function planOf(upToDate: boolean[]): Plan {
  const ctx = contextFor({ media: upToDate.map((_, i) => ({ name: `m${i}`, type: 'iso', file: `out/m${i}.iso` })) });
  const jobs: JobPlan[] = ctx.jobs.map((job, i) => ({
    job,
    packKey: { key: `p${i}`, preimage: {} },
    publishKey: { key: `k${i}`, preimage: {} },
    upToDate: upToDate[i] ? [output(job.media.name)] : undefined,
    remoteRecord: undefined,
  }));
  return {
    stageKey: { key: 's', preimage: {} },
    stageRecorded: false,
    cachedStage: undefined,
    remoteStage: { asked: false, record: undefined },
    jobs,
  };
}

test('a media up to date from the start starts settled; the outcome lists outputs, failures and whether nothing changed', async (t) => {
  const plan = planOf([true, false, false]);
  const run = createRun();
  const media = plan.jobs.map(mediaRun);
  t.deepEqual(media[0].source.settled(), { state: 'up to date', outputs: [output('m0')], key: 'k0' });
  t.is(media[1].source.settled(), undefined, 'the others wait for stage');
  run.planned.resolve({ resolved: resolvedContent(), plan, media });
  media[0].published.resolve({ state: 'up to date', outputs: [output('m0')], key: 'k0' });
  media[1].published.resolve({ state: 'done', value: [output('m1')] });
  const error = new Error('m2 failed');
  media[2].published.resolve({ state: 'failed', error });
  const outcome = await outcomeOf(run);
  t.deepEqual(
    outcome.outputs.map((o) => o.media),
    ['m0', 'm1'],
  );
  t.false(outcome.upToDate);
  t.deepEqual(outcome.failures, [{ media: 'm2', error }]);
});

test('after a failure the temp images of unpublished media are named for removal; a published media has none', (t) => {
  const plan = planOf([false, false]);
  const run = createRun();
  const media = plan.jobs.map(mediaRun);
  run.planned.resolve({ resolved: resolvedContent(), plan, media });
  const content = { layout: [], blob: async () => '', inPlace: () => true };
  media[0].packed.resolve({ state: 'done', value: { kind: 'packed', content, output: '/out/.m0.iso.partial', size: 1, volumeLabel: 'L' } });
  media[0].published.resolve({ state: 'failed', error: new Error('label failed') });
  const volume = { temp: '/out/.m1-1.iso.partial', final: '/out/m1-1.iso', size: 1, label: 'L', files: [] };
  media[1].packed.resolve({ state: 'done', value: { kind: 'oversize', content, size: 2 } });
  media[1].volumes.resolve({ state: 'done', value: { volumes: [volume], setManifest: undefined, restored: false } });
  t.deepEqual(unpublishedPartials(run, false), ['/out/.m0.iso.partial', '/out/.m1-1.iso.partial']);
  t.deepEqual(unpublishedPartials(run, true), ['/out/.m0.iso.partial'], '--keep-going: only the failed media');
  media[1].published.resolve({ state: 'done', value: [output('m1')] });
  t.deepEqual(unpublishedPartials(run, false), ['/out/.m0.iso.partial']);
});
