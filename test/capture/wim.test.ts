import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../src/tools/exec.js';
import { needing } from '../_helpers/capability.js';
import { runCli } from '../_helpers/cli.js';
import type { Nginx } from '../_helpers/nginx.js';
import { extractRegion, makeReferenceDisk, readPartitionFiles } from '../_helpers/refdisk.js';
import {
  hostCapture,
  makeWindowsDisk,
  ntfsFiles,
  ntfsFixtureProblem,
  startWindowsCaptureHost,
  wimTreeListing,
  type WindowsCaptureHost,
  type WindowsDisk,
} from '../_helpers/windisk.js';
import { runAgentOnHost } from './_host-agent.js';

/**
 * WIM capture of Windows volumes by the real agent scripts on the build
 * machine (busybox, the disk image file as /dev/vda; see _host-agent.ts),
 * with the host's wimlib-imagex and ntfs-3g tools — the same programs the
 * boot image ships. Refusals, exclusions, compression, split and the
 * pipable http stream are checked here; test/e2e/capture-wim.test.ts
 * proves the happy path inside the boot image under QEMU.
 */

const problem = await ntfsFixtureProblem();
const maybe = needing(problem);

const IMAGE = { name: 'Windows 11 Reference', version: '23H2.1', description: 'Åsa Öberg\'s "golden" image', createdBy: 'ava' };

let host: WindowsCaptureHost | undefined;
let work: string;
let windows: WindowsDisk;
let nginx: Nginx;
let uploads: string;

test.before(async () => {
  if (problem) return;
  host = await startWindowsCaptureHost('capmedia-wim-host-');
  ({ work, windows, uploads, nginx } = host);
});

test.after.always(async () => host?.stop());

async function capture(disk: string, step: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const dest = await mkdtemp(join(work, 'dest-'));
  const taskSequence = { image: IMAGE, steps: [{ type: 'capture-disk', ...step }], ...extra };
  const run = await runAgentOnHost({ disk, destinationDir: dest, taskSequence });
  return { ...run, dest };
}

async function onlyImage(dest: string): Promise<string> {
  const names = await readdir(dest);
  if (names.length !== 1) throw new Error(`expected one image folder, found ${names.join(', ') || 'none'}`);
  return join(dest, names[0]);
}

async function xml(wim: string): Promise<string> {
  const out = join(work, `xml-${Date.now()}.xml`);
  await exec('wimlib-imagex', ['info', wim, '--extract-xml', out]);
  return (await readFile(out)).toString('utf16le');
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

maybe('NTFS becomes one standard WIM with the image name, description and properties; the tree equals a host capture', async (t) => {
  const run = await capture(windows.image);
  t.is(run.exitCode, 0, run.output);
  const image = await onlyImage(run.dest);
  t.deepEqual((await readdir(image)).sort(), [
    'Windows_11_Reference-23H2.1.wim',
    'disk.sfdisk',
    'head.img.zst',
    'manifest.json',
    'part1.img.zst',
  ]);
  const wim = join(image, 'Windows_11_Reference-23H2.1.wim');
  t.is(await headerMagic(wim), 'MSWIM\0\0\0', 'a standard (non-pipable) WIM');
  await exec('wimlib-imagex', ['verify', wim]);
  const manifest = JSON.parse(await readFile(join(image, 'manifest.json'), 'utf8'));
  t.is(manifest.formatVersion, 2);
  const part = manifest.parts.find((p: { kind: string }) => p.kind === 'wim');
  t.like(part, { file: 'Windows_11_Reference-23H2.1.wim', pipable: false, compression: 'lzx', split: null });
  t.deepEqual(part.images, [
    {
      index: 1,
      name: IMAGE.name,
      description: IMAGE.description,
      partition: 2,
      device: '/dev/vda2',
      offset: windows.ntfs.offset,
      bytes: windows.ntfs.bytes,
      filesystem: 'ntfs',
      windows: true,
    },
  ]);
  const info = await xml(wim);
  t.regex(info, /<NAME>Windows 11 Reference<\/NAME>/);
  t.regex(
    info,
    /<DESCRIPTION>Åsa Öberg's "golden" image<\/DESCRIPTION>|<DESCRIPTION>Åsa Öberg&apos;s &quot;golden&quot; image<\/DESCRIPTION>/,
  );
  t.regex(info, /<CAPMEDIA><PARTITION>2<\/PARTITION><VERSION>23H2\.1<\/VERSION><CREATEDBY>ava<\/CREATEDBY><\/CAPMEDIA>/);
  // Security descriptors, named streams, hard links, the junction and times: the same as wimlib on the host sees them.
  const reference = join(work, 'host.wim');
  await rm(reference, { force: true });
  await hostCapture(windows.volume, reference, work);
  const agentTree = await wimTreeListing(wim, 1);
  t.is(agentTree, await wimTreeListing(reference, 1));
  t.regex(agentTree, /Named data stream "Zone\.Identifier"/);
  t.regex(agentTree, /Full Path += "\/Documents and Settings"[\s\S]*?FILE_ATTRIBUTE_REPARSE_POINT is set/);
  t.regex(agentTree, /Full Path += "\/Data\/länk till anteckningar\.txt"[\s\S]*?Link Count += 2/);
  t.notRegex(agentTree, /pagefile\.sys|hiberfil\.sys/);
  const verify = await runCli(['image', 'verify', image], { cwd: work });
  t.is(verify.exitCode, 0, verify.all);
  t.regex(verify.stdout, /ok +Windows_11_Reference-23H2\.1\.wim \(WIM, 1 image\)/);
  const shown = await runCli(['image', 'info', image], { cwd: work });
  t.regex(shown.stdout, /1\. Windows 11 Reference — Åsa Öberg's "golden" image \(partition 2, ntfs, Windows/);
});

maybe('image restore rebuilds the NTFS partition (mkntfs + apply, no mount) with the same files, streams and security', async (t) => {
  const run = await capture(windows.image);
  t.is(run.exitCode, 0, run.output);
  const restored = join(work, 'restored.img');
  const restore = await runCli(['image', 'restore', await onlyImage(run.dest), '--to', restored], { cwd: work });
  t.is(restore.exitCode, 0, restore.all);
  t.regex(restore.stdout, /1 WIM image applied/);
  const volume = join(work, 'restored-ntfs.img');
  await extractRegion(restored, windows.ntfs.offset, windows.ntfs.bytes, volume);
  const paths = [...Object.keys(windows.files), ...windows.excluded];
  const expected = { ...windows.files, ...Object.fromEntries(windows.excluded.map((path) => [path, 'missing'])) };
  t.deepEqual(await ntfsFiles(work, volume, paths), expected);
  // Link group ids are inode numbers, which a new volume assigns afresh.
  const withoutLinkIds = (text: string) => text.replace(/^Link Group ID.*$/gm, '');
  await rm(join(work, 'restored.wim'), { force: true });
  await rm(join(work, 'host.wim'), { force: true });
  await hostCapture(volume, join(work, 'restored.wim'), work);
  await hostCapture(windows.volume, join(work, 'host.wim'), work);
  t.is(
    withoutLinkIds(await wimTreeListing(join(work, 'restored.wim'), 1)),
    withoutLinkIds(await wimTreeListing(join(work, 'host.wim'), 1)),
  );
  // The ESP was captured raw and comes back byte for byte.
  const esp = async (file: string) =>
    createHash('sha256')
      .update(await readFile(file).then((data) => data.subarray(windows.esp.offset, windows.esp.offset + windows.esp.bytes)))
      .digest('hex');
  t.is(await esp(restored), await esp(windows.image));
});

const refusals: Array<[string, Parameters<typeof makeWindowsDisk>[1], RegExp]> = [
  [
    'hibernated',
    { hibernated: true },
    /CAPMEDIA-CAPTURE-FAILED hibernated: partition 2 \(\S+\/vda2\) holds a hibernated Windows .*shutdown \/s \/f \/t 0.*Fast Startup off/,
  ],
  [
    'bitlocker',
    { bitlocker: true },
    /CAPMEDIA-CAPTURE-FAILED BitLocker: partition 2 \(\S+\/vda2\) is encrypted with BitLocker.*suspend or decrypt BitLocker first/,
  ],
  ['dirty', { dirty: true }, /CAPMEDIA-CAPTURE-FAILED dirty NTFS: partition 2 \(\S+\/vda2\) is marked dirty.*run chkdsk \/f/],
];

for (const [name, options, message] of refusals) {
  maybe(`a ${name} volume is refused with its own message before anything is written`, async (t) => {
    const disk = await makeWindowsDisk(work, { ...options, name, randomMiB: 1 });
    const run = await capture(disk.image);
    t.is(run.exitCode, 1, run.output);
    t.regex(run.output, message);
    t.notRegex(run.output, /CAPMEDIA-CAPTURE-START/);
    t.deepEqual(await readdir(run.dest), [], 'no image folder, no WIM');
  });
}

maybe("a volume mounted read-write is refused; format 'raw' writes no WIM and keeps NTFS as bytes", async (t) => {
  const mounts = (dev: string) => `${dev}/vda2 /mnt/windows fuseblk rw,relatime 0 0\n`;
  const dest = await mkdtemp(join(work, 'dest-'));
  const run = await runAgentOnHost({ disk: windows.image, destinationDir: dest, mounts, taskSequence: { image: IMAGE } });
  t.is(run.exitCode, 1, run.output);
  t.regex(run.output, /CAPMEDIA-CAPTURE-FAILED mounted read-write: partition 2 \(\S+\/vda2\) is mounted read-write at \/mnt\/windows/);
  t.deepEqual(await readdir(dest), []);
  const raw = await capture(windows.image, { format: 'raw' });
  t.is(raw.exitCode, 0, raw.output);
  t.deepEqual((await readdir(await onlyImage(raw.dest))).sort(), [
    'disk.sfdisk',
    'head.img.zst',
    'manifest.json',
    'part1.img.zst',
    'part2.img.zst',
  ]);
});

maybe('exclude patterns, xpress compression and split into .swm parts that verify and restore', async (t) => {
  const run = await capture(windows.image, {
    compression: 'xpress',
    exclude: { exclusionList: ['\\Program Files', '*.txt'], exclusionException: ['\\Data\\private.txt'] },
    split: '1MiB',
  });
  t.is(run.exitCode, 0, run.output);
  const image = await onlyImage(run.dest);
  const swm = (await readdir(image)).filter((name) => name.endsWith('.swm')).sort();
  t.true(swm.length >= 2, swm.join(', '));
  t.false(
    (await readdir(image)).some((name) => name.endsWith('.wim')),
    'the whole WIM is removed once split',
  );
  const first = join(image, 'Windows_11_Reference-23H2.1.swm');
  const refs = swm.map((name) => join(image, name));
  const { stdout } = await exec('wimlib-imagex', ['info', first]);
  t.regex(stdout, /Compression:\s+XPRESS/);
  const tree = await wimTreeListing(first, 1, refs);
  t.notRegex(tree, /Program Files|anteckningar\.txt/);
  t.regex(tree, /"\/Data\/private\.txt"/);
  t.regex(tree, /"\/Users\/Åsa Öberg\/Pictures\/bild\.bin"/);
  const verify = await runCli(['image', 'verify', image], { cwd: work });
  t.is(verify.exitCode, 0, verify.all);
  const restored = join(work, 'restored-split.img');
  const restore = await runCli(['image', 'restore', image, '--to', restored], { cwd: work });
  t.is(restore.exitCode, 0, restore.all);
  const volume = join(work, 'restored-split-ntfs.img');
  await extractRegion(restored, windows.ntfs.offset, windows.ntfs.bytes, volume);
  const bild = 'Users/Åsa Öberg/Pictures/bild.bin';
  t.deepEqual(await ntfsFiles(work, volume, [bild, 'Program Files/Contoso/app.dll']), {
    [bild]: windows.files[bild],
    'Program Files/Contoso/app.dll': 'missing',
  });
});

maybe('http: one pipable WIM streamed per volume; image verify and image convert make the standard WIM DISM reads', async (t) => {
  const dest = `${nginx.url}/images/site/`;
  const run = await runAgentOnHost({ disk: windows.image, taskSequence: { image: IMAGE, destination: dest } });
  t.is(run.exitCode, 0, run.output);
  const folder = /CAPMEDIA-CAPTURE-OK images=(\S+)/.exec(run.output)![1];
  const local = join(uploads, 'site', folder.slice(dest.length));
  t.deepEqual((await readdir(local)).sort(), ['disk.sfdisk', 'head.img.zst', 'manifest.json', 'part1.img.zst', 'part2.wim']);
  t.not(await headerMagic(join(local, 'part2.wim')), 'MSWIM\0\0\0', 'streamed as a pipable WIM');
  const verify = await runCli(['image', 'verify', folder], { cwd: work });
  t.is(verify.exitCode, 0, verify.all);
  t.regex(verify.stdout, /ok +part2\.wim \(pipable WIM, 1 image\)/);
  const out = join(work, 'converted.wim');
  const convert = await runCli(['image', 'convert', folder, '--to', out], { cwd: work });
  t.is(convert.exitCode, 0, convert.all);
  t.is(await headerMagic(out), 'MSWIM\0\0\0');
  await exec('wimlib-imagex', ['verify', out]);
  t.regex(await xml(out), /<NAME>Windows 11 Reference<\/NAME>.*<CREATEDBY>ava<\/CREATEDBY>/s);
  const reference = join(work, 'host-http.wim');
  await hostCapture(windows.volume, reference, work);
  t.is(await wimTreeListing(out, 1), await wimTreeListing(reference, 1));
  const again = await runCli(['image', 'convert', folder, '--to', out], { cwd: work });
  t.is(again.exitCode, 2, 'an existing output is not replaced without --force');
  const parts = await mkdtemp(join(work, 'swm-'));
  const split = await runCli(['image', 'convert', folder, '--to', join(parts, 'reference.wim'), '--split', '1MiB'], { cwd: work });
  t.is(split.exitCode, 0, split.all);
  const swm = (await readdir(parts)).sort();
  t.true(swm.length >= 2 && swm.every((name) => /^reference\d*\.swm$/.test(name)), swm.join(', '));
  await exec('wimlib-imagex', ['verify', join(parts, 'reference.swm'), ...swm.map((name) => `--ref=${join(parts, name)}`)]);
  // The pipable upload restores as it is, over http.
  const restored = join(work, 'restored-http.img');
  const restore = await runCli(['image', 'restore', folder, '--to', restored], { cwd: work });
  t.is(restore.exitCode, 0, restore.all);
  const volume = join(work, 'restored-http-ntfs.img');
  await extractRegion(restored, windows.ntfs.offset, windows.ntfs.bytes, volume);
  t.deepEqual(await ntfsFiles(work, volume, Object.keys(windows.files)), windows.files);
});

maybe("format 'wim': an ext4 volume is mounted read-only into the WIM with UNIX data and restores to the same files", async (t) => {
  const linux = await makeReferenceDisk(await mkdtemp(join(work, 'linux-')), { randomMiB: 1 });
  const run = await capture(linux.image, { format: 'wim', partitions: [1] });
  t.is(run.exitCode, 0, run.output);
  const image = await onlyImage(run.dest);
  t.deepEqual((await readdir(image)).sort(), ['Windows_11_Reference-23H2.1.wim', 'disk.sfdisk', 'manifest.json']);
  const manifest = JSON.parse(await readFile(join(image, 'manifest.json'), 'utf8'));
  t.like(manifest.parts.at(-1).images[0], { index: 1, name: IMAGE.name, partition: 1, filesystem: 'ext' });
  const tree = await wimTreeListing(join(image, 'Windows_11_Reference-23H2.1.wim'), 1);
  t.regex(tree, /"\/home\/anna\/notes\.txt"/);
  const restored = join(work, 'restored-ext.img');
  const restore = await runCli(['image', 'restore', image, '--to', restored], { cwd: work });
  t.is(restore.exitCode, 0, restore.all);
  t.deepEqual(await readPartitionFiles(restored, linux.partitions[0]), { files: linux.partitions[0].files, fsckClean: true });
});

maybe(
  'a WIM that passes the largest file the destination holds fails naming the file systems that hold it, and leaves nothing',
  async (t) => {
    const dest = await mkdtemp(join(work, 'dest-'));
    const run = await runAgentOnHost({ disk: windows.image, destinationDir: dest, taskSequence: { image: IMAGE }, fileSizeLimitKiB: 1024 });
    t.is(run.exitCode, 1, run.output);
    t.regex(
      run.output,
      /CAPMEDIA-CAPTURE-FAILED WIM too large for FAT32: Windows_11_Reference-23H2\.1\.wim grew past 4 GiB.*exFAT, NTFS or ext4.*or set split: '3800MB'/,
    );
    t.deepEqual(await readdir(dest), [], 'the partial image folder and its WIM are removed');
  },
);
