import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { BOOT_ID, createProject, type TestProject } from '../_helpers/project.js';
import { startFaultServer, type FaultMode, type FaultServer } from '../_helpers/faultserver.js';
import { tempFolder } from '../_helpers/temp.js';
import { ContentStore } from '../../src/cache/store.js';
import { fetchIntoStore, type FetchProgress } from '../../src/cache/fetch.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import type { PackageFile } from '../../src/library/manifest.js';

let project: TestProject;
let faults: FaultServer;
let victim: PackageFile;
let original: Buffer;
test.before(async () => {
  project = await createProject();
  faults = await startFaultServer(project.content);
  const manifest = JSON.parse(await readFile(join(project.content, `packages/${BOOT_ID}.json`), 'utf8'));
  // The largest file: its halves are big enough to be real transfers.
  victim = [...manifest.files].sort((a: PackageFile, b: PackageFile) => b.size - a.size)[0];
  original = await readFile(join(project.content, 'files', victim.sha256.slice(0, 2), victim.sha256));
});
test.after.always(async () => {
  await faults?.stop();
  await project?.cleanup();
});

const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };

async function freshStore(t: ExecutionContext): Promise<ContentStore> {
  return new ContentStore(await tempFolder(t, 'capmedia-cas-'));
}

/** Fetches the victim blob through one fault mode with a 1 s stall timeout and fast retries. */
async function fetchThrough(t: ExecutionContext, mode: FaultMode, store?: ContentStore) {
  const target = store ?? (await freshStore(t));
  const progress: FetchProgress[] = [];
  target.onProgress = (p) => progress.push(p);
  const dp = openDistributionPoint({ name: mode, url: faults.url(mode), timeouts: { stall: 1 } });
  const before = faults.requests.length;
  await fetchIntoStore(target, victim, BOOT_ID, [dp], { retry: { baseDelayMs: 20 } });
  await dp.close?.();
  const gets = faults.requests.slice(before).filter((r) => r.method === 'GET' && r.path.endsWith(victim.sha256));
  return { store: target, gets, progress, stored: await readFile(target.path(victim.sha256)) };
}

const half = () => Math.floor(victim.size / 2);

test.serial('a cut connection resumes with Range and the stored blob is byte-identical', async (t) => {
  const { gets, stored, progress } = await fetchThrough(t, 'truncate');
  t.deepEqual(
    gets.map((g) => g.status),
    [200, 206],
  );
  // Resumed where the cut left the download: after some bytes, at most the half that was sent.
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1]);
  t.true(resumedAt > 0 && resumedAt <= half(), gets[1].range);
  t.true(stored.equals(original));
  t.deepEqual(progress.at(-1), { bytes: victim.size, totalBytes: victim.size, files: 1, totalFiles: 1 });
});

test.serial('a stalled body hits the stall timeout and resumes with Range', async (t) => {
  const started = Date.now();
  const { gets, stored } = await fetchThrough(t, 'stall');
  t.deepEqual(
    gets.map((g) => g.range),
    [undefined, `bytes=${half()}-`],
  );
  t.true(stored.equals(original));
  t.true(Date.now() - started < 10_000, 'the 1 s stall timeout, not the 30 s default');
});

test.serial('a body that ends early without an error is caught by its size and resumed', async (t) => {
  const { gets, stored } = await fetchThrough(t, 'short');
  t.deepEqual(
    gets.map((g) => g.range),
    [undefined, `bytes=${half()}-`],
  );
  t.true(stored.equals(original));
});

test.serial('a 503 burst is retried with backoff until the server answers', async (t) => {
  const { gets, stored } = await fetchThrough(t, 'flaky');
  t.deepEqual(
    gets.map((g) => g.status),
    [503, 503, 503, 200],
  );
  t.true(stored.equals(original));
});

test.serial('a partial download left by a killed run is adopted and resumed, not fetched again', async (t) => {
  const store = await freshStore(t);
  const dead = spawnSync('true').pid!;
  const orphan = `${store.path(victim.sha256)}.${dead}.part`;
  await mkdir(dirname(orphan), { recursive: true });
  await writeFile(orphan, original.subarray(0, 1000));
  const { gets, stored } = await fetchThrough(t, 'plain', store);
  t.deepEqual(
    gets.map((g) => g.range),
    ['bytes=1000-'],
  );
  t.true(stored.equals(original));
  t.deepEqual(
    (await readdir(dirname(orphan))).filter((n) => n.endsWith('.part')),
    [],
  );
});

test.serial('kept bytes that do not belong to the blob are discarded and the blob fetched whole', async (t) => {
  const store = await freshStore(t);
  const own = `${store.path(victim.sha256)}.${process.pid}.part`;
  await mkdir(dirname(own), { recursive: true });
  await writeFile(own, Buffer.alloc(1000, 7));
  const { gets, stored } = await fetchThrough(t, 'plain', store);
  t.deepEqual(
    gets.map((g) => g.range),
    ['bytes=1000-', undefined],
  );
  t.true(stored.equals(original));
});

test.serial('a build through a server that cuts every first transfer gives the same ISO bytes', async (t) => {
  await project.writeConfig({ media: { type: 'iso', file: 'out/file.iso', staging: './staging' }, cache: { dir: './cache-file' } });
  const reference = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(reference.exitCode, 0, reference.all);
  await project.writeConfig({
    distributionPoints: [{ name: 'cutting', url: faults.url('truncate'), timeouts: { stall: 2 } }],
    media: { type: 'iso', file: 'out/cut.iso', staging: './staging' },
    cache: { dir: './cache-cut' },
  });
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /fetched [\d.]+ \w+ .* of/, 'byte progress in the stage step');
  t.true((await readFile(join(project.dir, 'out/cut.iso'))).equals(await readFile(join(project.dir, 'out/file.iso'))));
});

test.serial('a build through a server answering 503 bursts is retried and succeeds', async (t) => {
  await project.writeConfig({
    distributionPoints: [{ name: 'busy', url: faults.url('flaky') }],
    media: { type: 'iso', file: 'out/busy.iso', staging: './staging' },
    cache: { dir: './cache-busy' },
  });
  const before = faults.requests.length;
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  t.true(faults.requests.slice(before).filter((r) => r.status === 503).length >= 3);
});
