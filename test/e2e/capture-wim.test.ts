import test from 'ava';
import { mkdtemp, open, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../src/tools/exec.js';
import { bootUnderQemu, qemuOptionValue, type BootRunResult } from '../../src/tools/qemu.js';
import { needing } from '../_helpers/capability.js';
import { runCli } from '../_helpers/cli.js';
import type { Nginx } from '../_helpers/nginx.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { markerLines } from '../_helpers/qemu.js';
import { extractRegion } from '../_helpers/refdisk.js';
import {
  hostCapture,
  ntfsFiles,
  ntfsFixtureProblem,
  startWindowsCaptureHost,
  wimTreeListing,
  type WindowsCaptureHost,
  type WindowsDisk,
} from '../_helpers/windisk.js';

/**
 * The boot image captures a Windows reference computer into a WIM (issue
 * 13): QEMU boots the capture ISO with an NTFS reference disk attached, and
 * the agent — wimlib-imagex and ntfs-3g's tools from the medium's tools
 * archive — writes one standard WIM to a disk labelled CAPTURE, and in a
 * second boot streams a pipable WIM to WebDAV on the host (10.0.2.2). Two
 * boots in all; refusals and options are covered on the host by
 * test/capture/wim.test.ts with the same agent scripts.
 */

const TIMEOUT_MS = 300_000;
const OK = /CAPMEDIA-CAPTURE-OK images=\S+/;
const FAILED = /CAPMEDIA-CAPTURE-FAILED .*|Kernel panic.*|CAPMEDIA-MEDIA-NOT-FOUND/;
const IMAGE = { name: 'Windows 11 Pro', version: '23H2', description: 'Reference for "site A" — Åsa Öberg', createdBy: 'e2e' };
const WIM = 'Windows_11_Pro-23H2.wim';

const problem = await ntfsFixtureProblem();
const maybe = needing(problem);

let project: TestProject;
let host: WindowsCaptureHost | undefined;
let work: string;
let windows: WindowsDisk;
let hostTree: string;
let nginx: Nginx;

test.before(async () => {
  if (problem) return;
  host = await startWindowsCaptureHost('capmedia-capture-wim-e2e-');
  ({ work, windows, nginx } = host);
  await hostCapture(windows.volume, join(work, 'host.wim'), work);
  hostTree = await wimTreeListing(join(work, 'host.wim'), 1);
  project = await createProject();
});

test.after.always(async () => {
  await project?.cleanup();
  await host?.stop();
});

async function buildMedia(destination: string, name: string): Promise<string> {
  await project.writeConfig({
    taskSequence: { name: `Capture ${name}`, image: IMAGE, destination, after: 'poweroff' },
    media: { type: 'iso', file: `out/${name}.iso`, size: 'dvd', label: 'CAPTURE MEDIA', staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  if (result.exitCode !== 0) throw new Error(result.all);
  return join(project.dir, 'out', `${name}.iso`);
}

async function boot(t: { log: (...values: unknown[]) => void }, iso: string, extraArgs: string[]): Promise<BootRunResult> {
  const keep = process.env.CAPMEDIA_KEEP_SERIAL;
  const result = await bootUnderQemu({
    image: iso,
    firmware: 'bios',
    as: 'cd',
    successMarker: OK,
    failureMarker: FAILED,
    timeoutMs: TIMEOUT_MS,
    memoryMiB: 768,
    extraArgs: ['-smp', '2', ...virtioDisk('ref', windows.image, 'WINREF', true), ...extraArgs],
    serialLog: keep ? `${keep}-${Date.now()}.log` : undefined,
  });
  t.log(`${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s: ${markerLines(result.serial).slice(-12).join('\n')}`);
  return result;
}

function virtioDisk(id: string, file: string, serial: string, snapshot: boolean): string[] {
  return [
    '-drive',
    `if=none,id=${id},format=raw,file=${qemuOptionValue(file)}${snapshot ? ',snapshot=on' : ''}`,
    '-device',
    `virtio-blk-pci,drive=${id},serial=${serial}`,
  ];
}

async function headerMagic(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(8);
    await handle.read(buffer, 0, 8, 0);
    return buffer.toString('latin1');
  } finally {
    await handle.close();
  }
}

async function xml(wim: string): Promise<string> {
  const out = join(work, `xml-${Date.now()}.xml`);
  await exec('wimlib-imagex', ['info', wim, '--extract-xml', out]);
  return (await readFile(out)).toString('utf16le');
}

/** Name, description and the capmedia properties, as the task sequence gave them. */
async function assertNamed(t: any, wim: string): Promise<void> {
  await exec('wimlib-imagex', ['verify', wim]);
  const { stdout } = await exec('wimlib-imagex', ['info', wim, '1']);
  t.regex(stdout, /^Name:\s+Windows 11 Pro$/m);
  t.regex(stdout, /^Description:\s+Reference for "site A" — Åsa Öberg$/m);
  t.regex(await xml(wim), /<CAPMEDIA><PARTITION>2<\/PARTITION><VERSION>23H2<\/VERSION><CREATEDBY>e2e<\/CREATEDBY><\/CAPMEDIA>/);
  const tree = await wimTreeListing(wim, 1);
  t.is(tree, hostTree, 'names, security descriptors, named streams, hard links, the junction and times equal a host capture');
  t.notRegex(tree, /pagefile\.sys|hiberfil\.sys/);
}

maybe(
  'the agent captures the NTFS volume into one standard WIM on disk:CAPTURE; it verifies, is named and restores file by file',
  async (t) => {
    const dest = join(work, 'dest.img');
    await writeFile(dest, '');
    await truncate(dest, 96 * 1024 * 1024);
    await exec('mkfs.ext4', ['-q', '-F', '-L', 'CAPTURE', dest]);
    const result = await boot(t, await buildMedia('disk:CAPTURE', 'wim-disk'), virtioDisk('dest', dest, 'DEST0', false));
    t.is(result.outcome, 'success', result.serial.slice(-4000));
    const folder = OK.exec(result.serial)![0].split('disk:CAPTURE/')[1];
    const out = await mkdtemp(join(work, 'extract-'));
    await exec('debugfs', ['-R', `rdump "/${folder}" ${out}`, dest]);
    const image = join(out, folder);
    t.deepEqual((await readdir(image)).sort(), [WIM, 'disk.sfdisk', 'head.img.zst', 'manifest.json', 'part1.img.zst']);
    t.is(await headerMagic(join(image, WIM)), 'MSWIM\0\0\0');
    await assertNamed(t, join(image, WIM));
    const verify = await runCli(['image', 'verify', image], { cwd: work });
    t.is(verify.exitCode, 0, verify.all);
    const restored = join(work, 'restored.img');
    const restore = await runCli(['image', 'restore', image, '--to', restored], { cwd: work });
    t.is(restore.exitCode, 0, restore.all);
    const volume = join(work, 'restored-ntfs.img');
    await extractRegion(restored, windows.ntfs.offset, windows.ntfs.bytes, volume);
    const expected = { ...windows.files, ...Object.fromEntries(windows.excluded.map((path) => [path, 'missing'])) };
    t.deepEqual(await ntfsFiles(work, volume, Object.keys(expected)), expected, 'the restored NTFS partition holds the source files');
  },
);

maybe('the agent streams a pipable WIM to WebDAV; image convert on the host makes the standard WIM', async (t) => {
  const url = `${nginx.url.replace('127.0.0.1', '10.0.2.2')}/images/site-a/`;
  const result = await boot(t, await buildMedia(url, 'wim-http'), ['-netdev', 'user,id=net0', '-device', 'virtio-net-pci,netdev=net0']);
  t.is(result.outcome, 'success', result.serial.slice(-4000));
  const folder = OK.exec(result.serial)![0].split('images=')[1].slice(url.length);
  const location = `${nginx.url}/images/site-a/${folder}`;
  const verify = await runCli(['image', 'verify', location], { cwd: work });
  t.is(verify.exitCode, 0, verify.all);
  t.regex(verify.stdout, /ok +part2\.wim \(pipable WIM, 1 image\)/);
  const converted = join(work, 'converted.wim');
  const convert = await runCli(['image', 'convert', location, '--to', converted], { cwd: work });
  t.is(convert.exitCode, 0, convert.all);
  t.is(await headerMagic(converted), 'MSWIM\0\0\0');
  await assertNamed(t, converted);
});
