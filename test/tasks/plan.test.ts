import test from 'ava';
import { jobSkipReason, stageSkipReason, verifySkipReason } from '../../src/tasks/plan.js';
import { contextFor } from './_context.js';

const published = { media: 'default', path: '/out/capture.iso', size: 1, sha256: 'f'.repeat(64), label: 'L' };

function planned(jobs: number) {
  const media = Array.from({ length: jobs }, (_, i) => ({ name: `m${i}`, type: 'iso', file: `out/${i}.iso` }));
  const ctx = contextFor({ media });
  ctx.stageKey = { key: '0123456789abcdef0123', preimage: {} };
  ctx.jobs.forEach((job, i) => (job.publishKey = { key: `${i}bcdef0123456789abcd`, preimage: {} }));
  return ctx;
}

test('nothing changed: every step says up to date or cached, with the key', (t) => {
  const ctx = planned(2);
  for (const job of ctx.jobs) job.upToDate = [published];
  t.is(verifySkipReason(ctx), 'up to date: nothing to fetch');
  t.regex(stageSkipReason(ctx) as string, /^up to date \(cached 0123456789ab/);
  t.regex(jobSkipReason(ctx.jobs[1]) as string, /^cached 1bcdef012345/);
});

test('content all in the cache: verify and stage are skipped saying why; media steps still run', (t) => {
  const ctx = planned(1);
  ctx.stageCached = true;
  t.regex(verifySkipReason(ctx) as string, /^nothing to fetch: all content is in the local cache/);
  t.regex(stageSkipReason(ctx) as string, /^cached 0123456789ab/);
  t.false(jobSkipReason(ctx.jobs[0]));
});

test('one media entry out of date: nothing shared is skipped as up to date, only the current entry', (t) => {
  const ctx = planned(2);
  ctx.jobs[0].upToDate = [published];
  t.false(verifySkipReason(ctx));
  t.false(stageSkipReason(ctx));
  t.truthy(jobSkipReason(ctx.jobs[0]));
  t.false(jobSkipReason(ctx.jobs[1]));
});
