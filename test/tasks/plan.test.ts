import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ContentStore } from '../../src/cache/store.js';
import { sha256Hex } from '../../src/library/hash.js';
import type { LayoutEntry } from '../../src/tasks/layout.js';
import { allBlobsPresent, mediaSkipReason, stageSkipReason, verifySkipReason } from '../../src/tasks/plan.js';
import type { JobPlan, Plan, PublishedOutput } from '../../src/tasks/results.js';
import { contextFor } from './_context.js';

const published: PublishedOutput = { media: 'default', path: '/out/capture.iso', size: 1, sha256: 'f'.repeat(64), label: 'L' };
const STAGE_KEY = { key: '0123456789abcdef0123', preimage: {} };

function planned(jobs: number, upToDate: boolean[] = []): Plan {
  const media = Array.from({ length: jobs }, (_, i) => ({ name: `m${i}`, type: 'iso', file: `out/${i}.iso` }));
  const ctx = contextFor({ media });
  const plans: JobPlan[] = ctx.jobs.map((job, i) => ({
    job,
    packKey: { key: `p${i}`, preimage: {} },
    publishKey: { key: `${i}bcdef0123456789abcd`, preimage: {} },
    upToDate: upToDate[i] ? [published] : undefined,
    remoteRecord: undefined,
  }));
  return {
    stageKey: STAGE_KEY,
    stageRecorded: false,
    cachedStage: undefined,
    remoteStage: { asked: false, record: undefined },
    jobs: plans,
  };
}

test('nothing changed: every step says up to date or cached, with the key', (t) => {
  const plan = planned(2, [true, true]);
  t.is(verifySkipReason(plan), 'up to date: nothing to fetch');
  t.regex(stageSkipReason(plan) as string, /^up to date \(cached 0123456789ab/);
  t.regex(
    mediaSkipReason({ state: 'up to date', outputs: [published], key: plan.jobs[1].publishKey.key }) as string,
    /^cached 1bcdef012345/,
  );
});

test('content all in the cache: verify and stage are skipped saying why; media steps still run', (t) => {
  const plan = { ...planned(1), stageRecorded: true, cachedStage: [] };
  t.regex(verifySkipReason(plan) as string, /^nothing to fetch: all content is in the local cache \(stage cached 0123456789ab/);
  t.regex(stageSkipReason(plan) as string, /^cached 0123456789ab/);
  t.false(mediaSkipReason({ state: 'done', value: undefined }));
});

test('a stage record whose blobs are gone is no reason to skip: verify and stage run', (t) => {
  const plan = { ...planned(1), stageRecorded: true, cachedStage: undefined };
  t.false(verifySkipReason(plan));
  t.false(stageSkipReason(plan));
});

test('one media entry out of date: nothing shared is skipped as up to date', (t) => {
  const plan = planned(2, [true, false]);
  t.false(verifySkipReason(plan));
  t.false(stageSkipReason(plan));
});

test('--keep-going: a media that failed skips its later steps saying so', (t) => {
  t.is(mediaSkipReason({ state: 'failed', error: new Error('boom') }), 'failed in an earlier step');
});

test('a recorded layout counts as staged only while the store holds every one of its blobs', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'capmedia-plan-store-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const store = new ContentStore(root);
  const entry = (content: string): LayoutEntry => {
    const sha256 = sha256Hex(content);
    return { target: `f/${content}`, sha256, size: content.length, packageId: 'P' };
  };
  const files = ['one', 'two', 'three'].map(entry);
  for (const [i, file] of files.entries()) {
    await mkdir(dirname(store.path(file.sha256)), { recursive: true });
    await writeFile(store.path(file.sha256), ['one', 'two', 'three'][i]);
  }
  t.true(allBlobsPresent(store, files));
  t.true(allBlobsPresent(store, []));
  await rm(store.path(files[1].sha256));
  t.false(allBlobsPresent(store, files));
  t.true(allBlobsPresent(store, [files[0], files[2]]));
  // A blob whose shard folder does not exist at all.
  t.false(allBlobsPresent(store, [entry('never stored')]));
});
