import test from 'ava';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { CapmediaError } from '../../src/errors/index.js';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import { createUsbMedia } from '../../src/plugins/media/usb/index.js';
import { exec } from '../../src/tools/exec.js';
import { OWN_FILES_LIST } from '../../src/plugins/media/usb/tree.js';
import { fsckPartition, imageMedia, mtool, packWith, scratchTree, TOOL_ENV } from './_usb.js';

const MiB = 2 ** 20;
const usb = createUsbMedia();

async function firstBytes(path: string, count: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  const buffer = Buffer.alloc(count);
  await handle.read(buffer, 0, count, 0);
  await handle.close();
  return buffer;
}

async function partitionTable(image: string) {
  return JSON.parse((await execa('sfdisk', ['--json', image])).stdout).partitiontable;
}

test('MBR image: bootable FAT32 partition, SYSLINUX MBR code, clean fsck, the tree, the mapped label and MediaLabel.txt', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const output = join(scratch.dir, 'capture.img');
  const packed = await packWith(usb, scratch, imageMedia(output), output);
  t.is(packed.volumeLabel, 'CONFIGURATI');
  t.deepEqual(packed.notices, ['FAT volume label "Configuration Manager" → "CONFIGURATI" (cut to the first 11 characters; upper-cased)']);
  t.is((await stat(output)).size, packed.size);
  const table = await partitionTable(output);
  t.is(table.label, 'dos');
  t.like(table.partitions[0], { start: 2048, type: 'c', bootable: true });
  t.true((await firstBytes(output, 440)).equals((await readFile('/usr/lib/syslinux/mbr/mbr.bin')).subarray(0, 440)));
  const fsck = await fsckPartition(output, scratch.dir);
  t.is(fsck.exitCode, 0, fsck.output);
  t.notRegex(fsck.output, /differences|mismatch|Free cluster summary wrong/i, fsck.output);
  const tree = (await mtool('mdir', output, '-/', '-b', '::/')).stdout;
  for (const path of [
    'EFI/BOOT/BOOTX64.EFI',
    'boot/vmlinuz',
    'syslinux/syslinux.cfg',
    'SMS/data/TaskSequence.json',
    'MediaLabel.txt',
    OWN_FILES_LIST,
  ]) {
    t.true(tree.includes(`::/${path}`), `${path} in\n${tree}`);
  }
  t.regex((await mtool('mlabel', output, '-s', '::')).stdout, /Volume label is CONFIGURATI$/m);
  t.is((await mtool('mtype', output, '::/MediaLabel.txt')).stdout, 'label=Configuration Manager');
  t.regex((await mtool('mattrib', output, '::/syslinux/ldlinux.sys')).stdout, /ldlinux\.sys/, 'SYSLINUX is installed');
});

test('GPT image: an EFI system partition flagged legacy-BIOS-bootable, with gptmbr.bin; fsck is clean', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const output = join(scratch.dir, 'capture.img');
  await packWith(usb, scratch, imageMedia(output, { partitionTable: 'gpt' }), output);
  const table = await partitionTable(output);
  t.is(table.label, 'gpt');
  t.like(table.partitions[0], { start: 2048, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', attrs: 'LegacyBIOSBootable' });
  t.true((await firstBytes(output, 440)).equals((await readFile('/usr/lib/syslinux/mbr/gptmbr.bin')).subarray(0, 440)));
  t.is((await execa('sfdisk', ['--verify', output], { reject: false })).exitCode, 0);
  const fsck = await fsckPartition(output, scratch.dir);
  t.is(fsck.exitCode, 0, fsck.output);
});

test('media.imageSize sets the image size; one too small for the content is refused before the image is made', async (t) => {
  const scratch = await scratchTree({ 'SMS/PKG/CM1/data.bin': Buffer.alloc(50 * MiB, 1) });
  t.teardown(scratch.cleanup);
  const output = join(scratch.dir, 'capture.img');
  const packed = await packWith(usb, scratch, imageMedia(output, { imageSize: '200MiB' }), output);
  t.is(packed.size, 200 * MiB);
  t.is((await partitionTable(output)).partitions[0].size, (200 - 1) * 2048);
  const small = join(scratch.dir, 'small.img');
  const error = await t.throwsAsync(packWith(usb, scratch, imageMedia(small, { imageSize: '64MiB' }), small));
  t.is((error as CapmediaError).code, 'MEDIA_TOO_SMALL');
  t.regex(error!.message, /media\.imageSize \(64\.0 MiB .*\) is too small/);
  await t.throwsAsync(stat(small), { code: 'ENOENT' });
});

test('a label with characters FAT forbids is mapped and the mapping reported; MediaLabel.txt keeps it whole', async (t) => {
  const scratch = await scratchTree({ 'MediaLabel.txt': 'label=Site: "North/01"\n' });
  t.teardown(scratch.cleanup);
  const output = join(scratch.dir, 'capture.img');
  const packed = await packWith(usb, scratch, imageMedia(output, { label: 'Site: "North/01"' }), output);
  t.is(packed.volumeLabel, 'SITE_ _NORT');
  t.regex(
    packed.notices[0],
    /FAT volume label "Site: \\"North\/01\\"" → "SITE_ _NORT" \(cut to the first 11 characters; upper-cased; characters FAT forbids/,
  );
  t.regex((await mtool('mlabel', output, '-s', '::')).stdout, /Volume label is SITE_ _NORT/);
});

test('reproducible: two packs with the same SOURCE_DATE_EPOCH are byte-identical; another epoch gives other ids', async (t) => {
  const [a, b] = [await scratchTree(), await scratchTree()];
  t.teardown(a.cleanup);
  t.teardown(b.cleanup);
  const [outA, outB] = [join(a.dir, 'a.img'), join(b.dir, 'b.img')];
  await packWith(usb, a, imageMedia(outA), outA);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await packWith(usb, b, imageMedia(outB), outB);
  t.true((await readFile(outA)).equals(await readFile(outB)));
  const other = join(b.dir, 'other.img');
  const notices: string[] = [];
  await usb.pack({
    treeDir: b.treeDir,
    workDir: b.workDir,
    output: other,
    label: 'Configuration Manager',
    platform: linuxPlatform,
    exec,
    env: { ...TOOL_ENV, SOURCE_DATE_EPOCH: '1600000000' },
    sourceDateEpoch: 1_600_000_000,
    notice: (m) => notices.push(m),
    media: imageMedia(other),
  });
  t.not((await partitionTable(other)).id, (await partitionTable(outA)).id);
});
