import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageSource } from '../../src/image/source.js';
import { restoreImage } from '../../src/image/restore.js';
import { verifyImage } from '../../src/image/verify.js';
import { exec } from '../../src/tools/exec.js';
import { startNginx, type Nginx } from '../_helpers/nginx.js';
import { makeReferenceDisk, readPartitionFiles, sha256Region, type ReferenceDisk } from '../_helpers/refdisk.js';
import { runAgentOnHost } from './_host-agent.js';

/**
 * The capture agent's scripts run on the build machine with busybox against
 * disk image files (see _host-agent.ts): every capture path in seconds. The
 * QEMU tests (test/e2e/capture.test.ts) prove them inside the boot image.
 */

let work: string;
let reference: ReferenceDisk;
let nginx: Nginx;
let uploads: string;

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'capmedia-agent-host-'));
  reference = await makeReferenceDisk(work, { randomMiB: 2 });
  uploads = join(work, 'uploads');
  await mkdir(uploads);
  nginx = await startNginx([
    { path: '/images/', root: uploads, dav: true },
    { path: '/secure/', root: uploads, dav: true, basic: { user: 'svc-capture', password: 'pw "with" \\odd, chars' } },
    { path: '/forbidden/', status: 403 },
  ]);
});

test.after.always(async () => {
  await nginx?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function destination(): Promise<string> {
  const dir = await mkdtemp(join(work, 'dest-'));
  return dir;
}

async function onlyImage(dest: string): Promise<string> {
  const names = await readdir(dest);
  if (names.length !== 1) throw new Error(`expected one image folder, found ${names.join(', ') || 'none'}`);
  return join(dest, names[0]);
}

test('a whole-disk capture writes the table, boot area and every partition, and restores to the same files', async (t) => {
  const dest = await destination();
  const run = await runAgentOnHost({ disk: reference.image, destinationDir: dest });
  t.is(run.exitCode, 0, run.output);
  t.regex(run.output, /CAPMEDIA-CAPTURE-OK images=disk:CAPTURE\/Reference-1\.0-\d{8}T\d{6}Z/);
  const image = await onlyImage(dest);
  t.deepEqual((await readdir(image)).sort(), ['disk.sfdisk', 'head.img.zst', 'manifest.json', 'part1.img.zst', 'part2.img.zst']);
  const manifest = JSON.parse(await readFile(join(image, 'manifest.json'), 'utf8'));
  t.like(manifest, {
    format: 'capmedia-image',
    formatVersion: 2,
    capture: 'disk',
    image: { name: 'Reference', version: '1.0' },
    source: { device: '/dev/vda', serial: 'HOSTTEST01', bytes: reference.bytes, partitionTable: 'gpt' },
  });
  t.deepEqual(
    manifest.parts.map((p: { file: string; method: string; filesystem: string }) => [p.file, p.method, p.filesystem]),
    [
      ['disk.sfdisk', 'none', ''],
      ['head.img.zst', 'raw', ''],
      ['part1.img.zst', 'e2image', 'ext'],
      ['part2.img.zst', 'raw', 'vfat'],
    ],
  );
  t.true((await verifyImage(await openImageSource(image))).ok);
  const restored = join(work, 'restored-whole.img');
  await restoreImage(await openImageSource(image), restored);
  for (const partition of reference.partitions) {
    t.deepEqual(await readPartitionFiles(restored, partition), { files: partition.files, fsckClean: true });
  }
  t.is(
    await sha256Region(restored, 0, reference.partitions[0].offset),
    await sha256Region(reference.image, 0, reference.partitions[0].offset),
  );
});

test('chosen partitions: only the table and those partitions are captured', async (t) => {
  const dest = await destination();
  const run = await runAgentOnHost({
    disk: reference.image,
    destinationDir: dest,
    taskSequence: { steps: [{ type: 'capture-disk', partitions: [2] }] },
  });
  t.is(run.exitCode, 0, run.output);
  const image = await onlyImage(dest);
  t.deepEqual((await readdir(image)).sort(), ['disk.sfdisk', 'manifest.json', 'part2.img.zst']);
  t.is(JSON.parse(await readFile(join(image, 'manifest.json'), 'utf8')).capture, 'partitions');
  const restored = join(work, 'restored-part2.img');
  await restoreImage(await openImageSource(image), restored);
  const fat = reference.partitions[1];
  t.is(await sha256Region(restored, fat.offset, fat.bytes), await sha256Region(reference.image, fat.offset, fat.bytes));
});

test('a disk without a partition table is captured whole', async (t) => {
  const disk = join(work, 'bare.img');
  await writeFile(disk, '');
  await truncate(disk, 16 * 1024 * 1024);
  await exec('mkfs.fat', ['-n', 'BARE', disk]);
  await writeFile(join(work, 'x.bin'), randomBytes(100_000));
  await exec('mcopy', ['-i', disk, join(work, 'x.bin'), '::/X.BIN']);
  const dest = await destination();
  const run = await runAgentOnHost({ disk, destinationDir: dest });
  t.is(run.exitCode, 0, run.output);
  const image = await onlyImage(dest);
  t.deepEqual((await readdir(image)).sort(), ['disk.img.zst', 'manifest.json']);
  const restored = join(work, 'restored-bare.img');
  await restoreImage(await openImageSource(image), restored);
  t.is(await sha256Region(restored, 0, 16 * 1024 * 1024), await sha256Region(disk, 0, 16 * 1024 * 1024));
});

test('a source selector picks the disk by serial, and one that matches nothing fails naming the disks seen', async (t) => {
  const dest = await destination();
  const steps = (serial: string) => ({ steps: [{ type: 'capture-disk', source: { serial, minSize: '32MiB' } }] });
  const ok = await runAgentOnHost({ disk: reference.image, destinationDir: dest, serial: 'S3Z9NB0K123', taskSequence: steps('S3Z9*') });
  t.is(ok.exitCode, 0, ok.output);
  const none = await runAgentOnHost({ disk: reference.image, destinationDir: await destination(), taskSequence: steps('WD-*') });
  t.is(none.exitCode, 1);
  t.regex(
    none.output,
    /CAPMEDIA-CAPTURE-FAILED no source disk: found no a disk matching the source of step 1 \(disks: \S+\/vda \(66 MiB, model '', serial 'HOSTTEST01'\)\)/,
  );
});

test('a partition that does not exist fails before anything is written', async (t) => {
  const dest = await destination();
  const run = await runAgentOnHost({
    disk: reference.image,
    destinationDir: dest,
    taskSequence: { steps: [{ type: 'capture-disk', partitions: [3] }] },
  });
  t.is(run.exitCode, 1);
  t.regex(run.output, /CAPMEDIA-CAPTURE-FAILED partition 3 does not exist on \S+\/vda \(it has: 1 2 \)/);
  t.deepEqual(await readdir(dest), []);
});

test('a task sequence of another version is refused, not half understood', async (t) => {
  const run = await runAgentOnHost({
    disk: reference.image,
    destinationDir: await destination(),
    editVars: (vars) => vars.replace("CAPMEDIA_TS_VERSION='2'", "CAPMEDIA_TS_VERSION='3'"),
  });
  t.is(run.exitCode, 1);
  t.regex(run.output, /CAPMEDIA-CAPTURE-FAILED the task sequence has version 3; this boot image runs version 2/);
});

test('HTTP: MKCOL + PUT to WebDAV, every part read back; the upload verifies', async (t) => {
  const run = await runAgentOnHost({ disk: reference.image, taskSequence: { destination: `${nginx.url}/images/host/` } });
  t.is(run.exitCode, 0, run.output);
  const folder = /CAPMEDIA-CAPTURE-OK images=(\S+)/.exec(run.output)![1];
  const report = await verifyImage(await openImageSource(folder));
  t.true(report.ok, JSON.stringify(report.parts));
});

test('HTTP with embedded credentials: the password reaches curl through a file, never the console', async (t) => {
  const password = 'pw "with" \\odd, chars';
  const taskSequence = {
    destination: `${nginx.url}/secure/`,
    credentials: { username: 'svc-capture', passwordEnv: 'CAPMEDIA_TEST_DAV_PASSWORD', embed: true },
  };
  process.env.CAPMEDIA_TEST_DAV_PASSWORD = password;
  t.teardown(() => delete process.env.CAPMEDIA_TEST_DAV_PASSWORD);
  const run = await runAgentOnHost({ disk: reference.image, taskSequence });
  t.is(run.exitCode, 0, run.output);
  t.false(run.output.includes(password));
  process.env.CAPMEDIA_TEST_DAV_PASSWORD = 'wrong';
  const refused = await runAgentOnHost({ disk: reference.image, taskSequence });
  t.regex(refused.output, /CAPMEDIA-CAPTURE-FAILED HTTP 401 from MKCOL \S+: the server refused the credentials of svc-capture/);
});

test('HTTP 403 fails before any upload', async (t) => {
  const run = await runAgentOnHost({ disk: reference.image, taskSequence: { destination: `${nginx.url}/forbidden/x/` } });
  t.is(run.exitCode, 1);
  t.regex(run.output, /CAPMEDIA-CAPTURE-FAILED HTTP 403 Forbidden from MKCOL \S+\/forbidden\/:/);
  t.notRegex(run.output, /CAPMEDIA-PROGRESS .*reading/);
});

test('a server that is not there fails with the reason', async (t) => {
  const run = await runAgentOnHost({ disk: reference.image, taskSequence: { destination: 'http://127.0.0.1:9/images/' } });
  t.is(run.exitCode, 1);
  t.regex(run.output, /CAPMEDIA-CAPTURE-FAILED cannot reach http:\/\/127\.0\.0\.1:9\/images\/: curl: \(7\)/);
});
