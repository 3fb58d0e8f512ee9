import test from 'ava';
import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { CapmediaError } from '../../src/errors/index.js';
import { dropDeviceCache, verifyDevice, writeImageToDevice } from '../../src/devices/write.js';
import { createUsbMedia } from '../../src/plugins/media/usb/index.js';
import { exec } from '../../src/tools/exec.js';
import { imageMedia, mtool, packWith, scratchTree, type Scratch } from '../media/_usb.js';
import { fakeSystem, USB_STICK } from './_fake-system.js';
import { needing, probeLoopDevices } from '../_helpers/capability.js';

const MiB = 2 ** 20;
/** Loop device tests: skipped with the reason where losetup cannot work, failed under CI=true. */
const withLoopDevices = needing(await probeLoopDevices());

async function flipByte(path: string, position: number): Promise<void> {
  const handle = await open(path, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, position);
  byte[0] ^= 0xff;
  await handle.write(byte, 0, 1, position);
  await handle.sync();
  await handle.close();
}

test('write + read-back verify: the hash computed while writing must match what is read back', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const image = join(scratch.dir, 'image.bin');
  const target = join(scratch.dir, 'target.bin');
  await writeFile(image, randomBytes(9 * MiB + 123));
  await writeFile(target, Buffer.alloc(16 * MiB));
  const written = await writeImageToDevice(image, target, { deviceBytes: 16 * MiB });
  t.is(written.bytes, 9 * MiB + 123);
  await t.notThrowsAsync(verifyDevice(target, written));
  await flipByte(target, 5 * MiB);
  const error = await t.throwsAsync(verifyDevice(target, written));
  t.is((error as CapmediaError).code, 'VERIFY_FAILED');
  t.regex(error!.message, /does not hold what was written/);
});

/** A loop device over a sparse file (the load-time probe said this machine allows it). */
async function loopDevice(scratch: Scratch, bytes: number): Promise<{ device: string; backing: string }> {
  const backing = join(scratch.dir, 'stick.bin');
  await writeFile(backing, '');
  await execa('truncate', ['-s', String(bytes), backing]);
  const result = await execa('losetup', ['--find', '--show', backing]);
  return { device: result.stdout.trim(), backing };
}

withLoopDevices('a loop device: real write, read-back verify passes; bytes changed behind the cache fail the verify', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const loop = await loopDevice(scratch, 32 * MiB);
  t.teardown(() => execa('losetup', ['-d', loop.device]).then(() => undefined));
  const image = join(scratch.dir, 'image.bin');
  await writeFile(image, randomBytes(20 * MiB));
  const written = await writeImageToDevice(image, loop.device, { deviceBytes: 32 * MiB });
  t.true(await dropDeviceCache(exec, loop.device), 'blockdev --flushbufs works as root');
  await t.notThrowsAsync(verifyDevice(loop.device, written));
  t.true((await readFile(loop.backing)).subarray(0, 20 * MiB).equals(await readFile(image)));
  // A stick that lost a write: change the medium under the kernel's cached copy, which must then be dropped.
  await flipByte(loop.backing, 7 * MiB + 5);
  t.true(await dropDeviceCache(exec, loop.device));
  const error = await t.throwsAsync(verifyDevice(loop.device, written));
  t.is((error as CapmediaError).code, 'VERIFY_FAILED');
});

for (const partitionTable of ['mbr', 'gpt'] as const) {
  withLoopDevices(
    `a loop device presented as a USB stick gets the ${partitionTable.toUpperCase()} image through checkTarget + pack + publish`,
    async (t) => {
      const scratch = await scratchTree();
      t.teardown(scratch.cleanup);
      const loop = await loopDevice(scratch, 96 * MiB);
      t.teardown(() => execa('losetup', ['-d', loop.device]).then(() => undefined));
      const name = basename(loop.device);
      const system = await fakeSystem([{ ...USB_STICK, name, devno: '7:99', sizeBytes: 96 * MiB, partitions: [] }]);
      t.teardown(system.cleanup);
      const usb = createUsbMedia({ roots: system.roots });
      const media = imageMedia(loop.device, { partitionTable });
      await usb.checkTarget!({ media, exec, protectedPaths: [scratch.dir], confirm: async () => true });
      const packed = await packWith(usb, scratch, media);
      t.true(packed.output.startsWith(scratch.workDir), 'the image is built in the work folder, not beside /dev/…');
      const notices: string[] = [];
      await usb.publish!({
        temp: packed.output,
        final: loop.device,
        media,
        exec,
        notice: (m) => notices.push(m),
        confirm: async () => true,
      });
      t.regex(notices.join('\n'), /and read it back: identical/);
      const onStick = await readFile(loop.backing);
      const image = await readFile(packed.output);
      if (partitionTable === 'mbr') t.true(onStick.subarray(0, image.length).equals(image));
      const table = JSON.parse((await execa('sfdisk', ['--json', loop.device])).stdout).partitiontable;
      t.is(table.label, partitionTable === 'mbr' ? 'dos' : 'gpt');
      if (partitionTable === 'gpt') t.is(table.lastlba, (96 * MiB) / 512 - 34, 'the backup GPT moved to the end of the drive');
      t.is(usb.recordsPath!(media), undefined, 'no .sha256 or manifest is written beside /dev/…');
    },
  );
}

withLoopDevices(
  "format: false on a drive (a loop device presented as a USB stick): files copied onto its FAT32 partition, the user's kept",
  async (t) => {
    const scratch = await scratchTree();
    t.teardown(scratch.cleanup);
    const prepared = join(scratch.dir, 'prepared.img');
    const usb = createUsbMedia();
    await packWith(usb, scratch, imageMedia(prepared), prepared);
    await mtool('mcopy', prepared, join(scratch.treeDir, 'MediaLabel.txt'), '::/user-file.txt');
    const loop = await loopDevice(scratch, 96 * MiB);
    t.teardown(() => execa('losetup', ['-d', loop.device]).then(() => undefined));
    await writeImageToDevice(prepared, loop.device);
    const system = await fakeSystem([{ ...USB_STICK, name: basename(loop.device), devno: '7:99', sizeBytes: 96 * MiB, partitions: [] }]);
    t.teardown(system.cleanup);
    const drive = createUsbMedia({ roots: system.roots });
    const media = imageMedia(loop.device, { format: false });
    const questions: string[] = [];
    await drive.checkTarget!({ media, exec, protectedPaths: [], confirm: async (q) => (questions.push(q), true) });
    t.regex(questions[0], /capmedia will replace its own files on its FAT32 volume/);
    const second = await scratchTree({ 'SMS/data/TaskSequence.json': '{"name":"Second"}\n' });
    t.teardown(second.cleanup);
    const packed = await packWith(drive, second, media);
    await drive.publish!({ temp: packed.output, final: loop.device, media, exec, notice: () => {}, confirm: async () => true });
    t.is((await mtool('mtype', loop.backing, '::/SMS/data/TaskSequence.json')).stdout, '{"name":"Second"}');
    t.is((await mtool('mtype', loop.backing, '::/user-file.txt')).stdout, 'label=Configuration Manager');
  },
);
