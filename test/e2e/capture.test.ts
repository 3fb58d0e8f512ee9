import test from 'ava';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../src/tools/exec.js';
import { bootUnderQemu, qemuOptionValue, type BootRunResult } from '../../src/tools/qemu.js';
import { runCli } from '../_helpers/cli.js';
import { startNginx, type Nginx } from '../_helpers/nginx.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { markerLines } from '../_helpers/qemu.js';
import { makeReferenceDisk, readPartitionFiles, sha256Region, type ReferenceDisk } from '../_helpers/refdisk.js';

/**
 * The capture media really capture (issue 8): QEMU boots the built ISO with
 * a reference disk attached and the agent writes the image to a disk
 * labelled CAPTURE or over WebDAV to nginx on the host (10.0.2.2 from the
 * guest). One VM at a time: two gain nothing on 2 cores under TCG.
 */

const TIMEOUT_MS = 240_000;
const OK = /CAPMEDIA-CAPTURE-OK images=\S+/;
const FAILED = /CAPMEDIA-CAPTURE-FAILED .*|Kernel panic.*|CAPMEDIA-MEDIA-NOT-FOUND/;

let project: TestProject;
let work: string;
let reference: ReferenceDisk;
let nginx: Nginx;
let uploads: string;

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'capmedia-capture-e2e-'));
  reference = await makeReferenceDisk(work);
  uploads = join(work, 'uploads');
  await mkdir(uploads);
  nginx = await startNginx([
    { path: '/images/', root: uploads, dav: true },
    { path: '/forbidden/', status: 403 },
  ]);
  project = await createProject();
});

test.after.always(async () => {
  await nginx?.stop();
  await project?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Builds the capture ISO for this destination (the config is the test config plus the task sequence). */
async function buildMedia(destination: string, name: string): Promise<string> {
  const dir = join(project.dir, name);
  await mkdir(dir, { recursive: true });
  const taskSequence = {
    name: `Capture ${name}`,
    image: { name: 'Reference PC', version: '1.0', description: 'e2e "capture" test', createdBy: 'ava' },
    destination,
    after: 'poweroff',
  };
  await project.writeConfig({
    taskSequence,
    media: { type: 'iso', file: `out/${name}.iso`, size: 'dvd', label: 'CAPTURE MEDIA', staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  if (result.exitCode !== 0) throw new Error(result.all);
  return join(project.dir, 'out', `${name}.iso`);
}

let diskMedia: Promise<string> | undefined;
const diskIso = () => (diskMedia ??= buildMedia('disk:CAPTURE', 'disk'));

/** An empty destination disk: an ext4 file system labelled CAPTURE on the whole disk. */
async function destinationDisk(name: string, mib: number): Promise<string> {
  const file = join(work, `${name}.img`);
  await writeFile(file, '');
  await truncate(file, mib * 1024 * 1024);
  await exec('mkfs.ext4', ['-q', '-F', '-L', 'CAPTURE', file]);
  return file;
}

async function boot(
  t: { log: (...values: unknown[]) => void },
  iso: string,
  drives: string[],
  network = false,
): Promise<BootRunResult & { markers: string[] }> {
  const extraArgs = ['-smp', '2', ...virtioDisk('ref', reference.image, 'REFDISK', true)];
  drives.forEach((drive, i) => extraArgs.push(...virtioDisk(`dest${i}`, drive, `DEST${i}`, false)));
  if (network) extraArgs.push('-netdev', 'user,id=net0', '-device', 'virtio-net-pci,netdev=net0');
  // CAPMEDIA_KEEP_SERIAL=/tmp/capture keeps each run's console (/tmp/capture-<time>.log) for debugging.
  const keep = process.env.CAPMEDIA_KEEP_SERIAL;
  const serialLog = keep ? `${keep}-${Date.now()}.log` : undefined;
  const result = await bootUnderQemu({
    image: iso,
    firmware: 'bios',
    as: 'cd',
    successMarker: OK,
    failureMarker: FAILED,
    timeoutMs: TIMEOUT_MS,
    memoryMiB: 512,
    extraArgs,
    serialLog,
  });
  const markers = markerLines(result.serial);
  t.log(
    `${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s: ${markers.filter((line) => /CAPTURE-(OK|FAILED)/.test(line)).join(' ')}`,
  );
  return { ...result, markers };
}

function virtioDisk(id: string, file: string, serial: string, snapshot: boolean): string[] {
  return [
    '-drive',
    `if=none,id=${id},format=raw,file=${qemuOptionValue(file)}${snapshot ? ',snapshot=on' : ''}`,
    '-device',
    `virtio-blk-pci,drive=${id},serial=${serial}`,
  ];
}

/** The top-level names in an ext4 image (debugfs reads it without mounting). */
async function ext4Names(image: string): Promise<string[]> {
  const { stdout } = await exec('debugfs', ['-R', 'ls -p /', image]);
  return stdout
    .split('\n')
    .map((line) => line.split('/')[5])
    .filter((name): name is string => Boolean(name) && !['.', '..', 'lost+found'].includes(name));
}

async function extractFolder(image: string, folder: string): Promise<string> {
  const out = await mkdtemp(join(work, 'extract-'));
  await exec('debugfs', ['-R', `rdump "/${folder}" ${out}`, image]);
  return join(out, folder);
}

/** Restores with the CLI and compares every partition with the reference. */
async function assertRestores(t: any, image: string): Promise<void> {
  const restored = join(work, `restored-${Date.now()}.img`);
  const restore = await runCli(['image', 'restore', image, '--to', restored], { cwd: work });
  t.is(restore.exitCode, 0, restore.all);
  for (const partition of reference.partitions) {
    const { files, fsckClean } = await readPartitionFiles(restored, partition);
    t.deepEqual(files, partition.files, `partition ${partition.number} (${partition.fs}) files differ`);
    t.true(fsckClean, `partition ${partition.number} does not pass fsck`);
  }
  // FAT is captured raw: the restored partition is the same bytes; so are the boot area and tables.
  const fat = reference.partitions.find((p) => p.fs === 'vfat')!;
  t.is(await sha256Region(restored, fat.offset, fat.bytes), await sha256Region(reference.image, fat.offset, fat.bytes));
  t.is(
    await sha256Region(restored, 0, reference.partitions[0].offset),
    await sha256Region(reference.image, 0, reference.partitions[0].offset),
  );
  await rm(restored, { force: true });
}

test.serial('captures the reference disk to disk:CAPTURE; the image verifies and restores to the same files', async (t) => {
  const dest = await destinationDisk('dest-ok', 128);
  const result = await boot(t, await diskIso(), [dest]);
  t.is(result.outcome, 'success', result.serial.slice(-4000));
  const folder = OK.exec(result.serial)![0].split('disk:CAPTURE/')[1];
  t.regex(folder, /^Reference_PC-1\.0-\d{8}T\d{6}Z$/);
  t.true(
    result.markers.some((line) => line.startsWith('CAPMEDIA-CAPTURE-VERIFIED')),
    result.markers.join('\n'),
  );
  t.deepEqual(await ext4Names(dest), [folder], 'only the finished image folder is on the destination');
  const image = await extractFolder(dest, folder);
  t.deepEqual((await readdir(image)).sort(), ['disk.sfdisk', 'head.img.zst', 'manifest.json', 'part1.img.zst', 'part2.img.zst']);
  const verify = await runCli(['image', 'verify', image], { cwd: work });
  t.is(verify.exitCode, 0, verify.all);
  t.regex(verify.stdout, /verified: 4 parts match the manifest/);
  await assertRestores(t, image);
});

test.serial('captures over HTTP to a WebDAV location on the host; the uploaded image verifies and restores', async (t) => {
  const url = `${nginx.url.replace('127.0.0.1', '10.0.2.2')}/images/site-a/`;
  const result = await boot(t, await buildMedia(url, 'http'), [], true);
  t.is(result.outcome, 'success', result.serial.slice(-4000));
  const location = OK.exec(result.serial)![0].split('images=')[1];
  t.true(location.startsWith(url), location);
  const folder = location.slice(url.length);
  const viaHttp = await runCli(['image', 'verify', `${nginx.url}/images/site-a/${folder}`], { cwd: work });
  t.is(viaHttp.exitCode, 0, viaHttp.all);
  await assertRestores(t, join(uploads, 'site-a', folder));
});

test.serial('a missing destination disk fails with CAPMEDIA-CAPTURE-FAILED and a reason', async (t) => {
  const result = await boot(t, await diskIso(), []);
  t.is(result.outcome, 'failure', result.serial.slice(-4000));
  t.regex(result.serial, /CAPMEDIA-CAPTURE-FAILED destination disk missing: no file system labelled CAPTURE/);
  t.notRegex(result.serial, /CAPMEDIA-CAPTURE-OK/);
});

test.serial('a destination too small fails with CAPMEDIA-CAPTURE-FAILED and leaves no image behind', async (t) => {
  const dest = await destinationDisk('dest-small', 6);
  const result = await boot(t, await diskIso(), [dest]);
  t.is(result.outcome, 'failure', result.serial.slice(-4000));
  t.regex(result.serial, /CAPMEDIA-CAPTURE-FAILED destination full: no space left on the disk labelled CAPTURE/);
  t.deepEqual(await ext4Names(dest), [], 'the partial image was removed');
});

test.serial('HTTP 403 from the server fails with CAPMEDIA-CAPTURE-FAILED and uploads nothing', async (t) => {
  const before = await readdir(uploads);
  const url = `${nginx.url.replace('127.0.0.1', '10.0.2.2')}/forbidden/`;
  const result = await boot(t, await buildMedia(url, 'forbidden'), [], true);
  t.is(result.outcome, 'failure', result.serial.slice(-4000));
  t.regex(result.serial, /CAPMEDIA-CAPTURE-FAILED HTTP 403 Forbidden from MKCOL http:\/\/10\.0\.2\.2:\d+\/forbidden\//);
  t.deepEqual(await readdir(uploads), before);
});
