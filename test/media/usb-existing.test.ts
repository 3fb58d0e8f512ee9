import test from 'ava';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { CapmediaError } from '../../src/errors/index.js';
import { sha256File } from '../../src/library/hash.js';
import { createUsbMedia } from '../../src/plugins/media/usb/index.js';
import { exec } from '../../src/tools/exec.js';
import { fakeSystem } from '../devices/_fake-system.js';
import { fsckPartition, imageMedia, mtool, packWith, scratchTree, usbMediaEntry } from './_usb.js';

const usb = createUsbMedia();
const checkTarget = (type: typeof usb, media: ReturnType<typeof imageMedia>) =>
  type.checkTarget!({ media, exec, protectedPaths: [], confirm: async () => false });

test("format: false on an image: capmedia replaces its own files, removes those it no longer carries, keeps the user's; the old image stays until publish", async (t) => {
  const first = await scratchTree();
  t.teardown(first.cleanup);
  const image = join(first.dir, 'stick.img');
  await packWith(usb, first, imageMedia(image), image);
  await mtool('mmd', image, '::/user');
  await writeFile(join(first.dir, 'notes.txt'), 'mine\n');
  await mtool('mcopy', image, join(first.dir, 'notes.txt'), '::/user/notes.txt');

  const second = await scratchTree({ 'SMS/data/TaskSequence.json': '{"name":"Second"}\n', 'SMS/PKG/CM2/new.bin': 'new\n' });
  t.teardown(second.cleanup);
  await rm(join(second.treeDir, 'boot/vmlinuz'));
  const media = imageMedia(image, { format: false });
  await checkTarget(usb, media);
  const before = await sha256File(image);
  const packed = await packWith(usb, second, media);
  t.deepEqual(await sha256File(image), before, 'the existing image is untouched until publish (R10)');
  t.regex(
    packed.notices.join('\n'),
    /onto the existing FAT32 volume .* \(5 replaced, 1 removed because the media no longer carry them\); other files were left alone/,
  );
  await usb.publish!({ temp: packed.output, final: image, media, exec, notice: () => {}, confirm: async () => false });

  t.is((await mtool('mtype', image, '::/user/notes.txt')).stdout, 'mine');
  t.is((await mtool('mtype', image, '::/SMS/data/TaskSequence.json')).stdout, '{"name":"Second"}');
  t.is((await mtool('mtype', image, '::/SMS/PKG/CM2/new.bin')).stdout, 'new');
  await t.throwsAsync(mtool('mtype', image, '::/boot/vmlinuz'));
  t.is(packed.volumeLabel, 'CONFIGURATI', 'the existing label is kept');
  const fsck = await fsckPartition(image, second.dir);
  t.is(fsck.exitCode, 0, fsck.output);
});

test('format: false refuses what is not FAT32: FAT16, no file system, no FAT partition, a missing image', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const fat16 = join(scratch.dir, 'fat16.img');
  await execa('mkfs.fat', ['-C', '-F', '16', fat16, String(64 * 1024)]);
  const blank = join(scratch.dir, 'blank.img');
  await execa('truncate', ['-s', '64M', blank]);
  const linux = join(scratch.dir, 'linux.img');
  await execa('truncate', ['-s', '64M', linux]);
  await execa('sfdisk', ['--quiet', linux], { input: 'label: dos\nstart=2048, type=83\n' });
  const cases: Array<[string, RegExp]> = [
    [fat16, /fat16\.img holds FAT12\/16, not FAT32/],
    [blank, /blank\.img holds no FAT file system, not FAT32/],
    [linux, /linux\.img has no FAT partition \(partition types: 83\)/],
    [join(scratch.dir, 'missing.img'), /missing\.img does not exist/],
  ];
  for (const [path, message] of cases) {
    const error = await t.throwsAsync(checkTarget(usb, imageMedia(path, { format: false })));
    t.is((error as CapmediaError).code, 'NOT_FAT32');
    t.regex(error!.message, message);
  }
});

test("format: false onto a mounted FAT32 folder: checked through mountinfo and the boot sector, files copied, the user's kept", async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const folder = join(scratch.dir, 'mnt');
  await mkdir(join(folder, 'user'), { recursive: true });
  await writeFile(join(folder, 'user/notes.txt'), 'mine\n');
  const fat32 = join(scratch.dir, 'fat32.img');
  await execa('mkfs.fat', ['-C', '-F', '32', fat32, String(64 * 1024)]);
  const system = await fakeSystem([], { mounts: [{ devno: '8:17', mountPoint: folder, fsType: 'vfat', source: fat32 }] });
  t.teardown(system.cleanup);
  const type = createUsbMedia({ roots: system.roots });
  const media = usbMediaEntry({ device: folder, output: folder, format: false });
  await checkTarget(type, media);
  const packed = await packWith(type, scratch, media);
  t.true(packed.output.startsWith(scratch.workDir), 'nothing is written to the stick at pack');
  const notices: string[] = [];
  await type.publish!({ temp: packed.output, final: folder, media, exec, notice: (m) => notices.push(m), confirm: async () => false });
  t.is(await readFile(join(folder, 'EFI/BOOT/BOOTX64.EFI')).then((b) => b.length), 64 * 1024);
  t.is(await readFile(join(folder, 'user/notes.txt'), 'utf8'), 'mine\n');
  t.is((await stat(join(folder, 'MediaLabel.txt'))).mtimeMs, 1_700_000_000_000, 'SOURCE_DATE_EPOCH on every copied file');
  t.is(type.recordsPath!(media), undefined);
  t.regex(notices.join('\n'), /copied \d+ files onto .*mnt; other files were left alone/);
});

test('a folder that is not a FAT volume, not a mount root, or meant to be formatted is refused', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const folder = join(scratch.dir, 'mnt');
  await mkdir(join(folder, 'sub'), { recursive: true });
  const system = await fakeSystem([], { mounts: [{ devno: '8:17', mountPoint: folder, fsType: 'ext4', source: '/dev/sdb1' }] });
  t.teardown(system.cleanup);
  const type = createUsbMedia({ roots: system.roots });
  const ext4 = await t.throwsAsync(checkTarget(type, usbMediaEntry({ device: folder, output: folder, format: false })));
  t.regex(ext4!.message, /mnt is a ext4 volume, not FAT32/);
  const inside = await t.throwsAsync(
    checkTarget(type, usbMediaEntry({ device: join(folder, 'sub'), output: join(folder, 'sub'), format: false })),
  );
  t.regex(inside!.message, /is not the root of a mounted volume \(it is inside .*mnt\)/);
  const format = await t.throwsAsync(checkTarget(type, usbMediaEntry({ device: folder, output: folder, format: true })));
  t.regex(format!.message, /is a folder, and media\.format is true/);
});
