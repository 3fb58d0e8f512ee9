import test from 'ava';
import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapmediaError } from '../../src/errors/index.js';
import { checkFileSizes, FAT32_MAX_FILE_BYTES } from '../../src/plugins/media/usb/content.js';
import { createUsbMedia } from '../../src/plugins/media/usb/index.js';
import { runCli } from '../_helpers/cli.js';
import { createProject, BOOT_ID } from '../_helpers/project.js';
import { usbBootImage } from './_boot-image.js';
import { imageMedia, packWith, scratchTree } from './_usb.js';

const FOUR_GIB_PLUS_ONE = 2 ** 32 + 1;

/** A file of the given size that takes no disk space. */
async function sparseFile(path: string, size: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const handle = await open(path, 'w');
  await handle.truncate(size);
  await handle.close();
}

test('R7: every file of 4 GiB or more is listed in one error; smaller ones pass', (t) => {
  const files = [
    { path: 'boot/vmlinuz', size: 8e6 },
    { path: 'SMS/PKG/CM1/install.wim', size: FOUR_GIB_PLUS_ONE },
    { path: 'SMS/PKG/CM1/disk.vhdx', size: 2 ** 32 },
    { path: 'SMS/PKG/CM1/just-fits.bin', size: FAT32_MAX_FILE_BYTES },
  ];
  const error = t.throws(() => checkFileSizes(files, false)) as CapmediaError;
  t.is(error.code, 'FILE_TOO_LARGE');
  t.regex(error.message, /SMS\/PKG\/CM1\/install\.wim \(4\.00 GiB\), SMS\/PKG\/CM1\/disk\.vhdx \(4\.00 GiB\)/);
  t.notRegex(error.message, /just-fits|vmlinuz/);
  t.regex(error.hint!, /splitLargeFiles/);
});

test('R7 with splitLargeFiles: .wim files pass (they are split), other large files are still refused', (t) => {
  t.notThrows(() => checkFileSizes([{ path: 'sources/install.WIM', size: FOUR_GIB_PLUS_ONE }], true));
  const error = t.throws(() =>
    checkFileSizes(
      [
        { path: 'sources/install.wim', size: FOUR_GIB_PLUS_ONE },
        { path: 'data/disk.vhdx', size: FOUR_GIB_PLUS_ONE },
      ],
      true,
    ),
  ) as CapmediaError;
  t.regex(error.message, /this one: data\/disk\.vhdx/);
  t.notRegex(error.message, /install\.wim/);
  t.regex(error.hint!, /Only \.wim files can be split/);
});

test('pack refuses a staged tree holding a sparse 4 GiB + 1 byte file before creating the image', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  await sparseFile(join(scratch.treeDir, 'SMS/PKG/CM100010/reference.vhd'), FOUR_GIB_PLUS_ONE);
  const output = join(scratch.dir, 'capture.img');
  const error = await t.throwsAsync(packWith(createUsbMedia(), scratch, imageMedia(output), output));
  t.is((error as CapmediaError).code, 'FILE_TOO_LARGE');
  t.regex(error!.message, /SMS\/PKG\/CM100010\/reference\.vhd \(4\.00 GiB\).*Nothing was written/);
  await t.throwsAsync(stat(output), { code: 'ENOENT' });
});

test('capmedia build: a package with a 4 GiB + 1 byte file fails before anything is staged or written, naming the file', async (t) => {
  const project = await createProject({ withBootImage: false });
  t.teardown(project.cleanup);
  await project.publish(await usbBootImage(), BOOT_ID);
  // The big file is published by hand (a sparse blob, a manifest naming it): hashing 4 GiB would only slow the test.
  const sha256 = 'ab'.repeat(32);
  await sparseFile(join(project.content, 'files', sha256.slice(0, 2), sha256), FOUR_GIB_PLUS_ONE);
  const manifest = {
    id: 'CM100010',
    version: '1',
    name: 'reference disk',
    kind: 'content',
    files: [{ path: 'disk/reference.vhd', size: FOUR_GIB_PLUS_ONE, sha256 }],
  };
  await writeFile(join(project.content, 'packages/CM100010.json'), JSON.stringify(manifest));
  await project.writeConfig({ content: ['CM100010'], media: { type: 'usb', device: 'out/capture.img', staging: './staging' } });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /FAT32 cannot hold files of 4\.00 GiB or more.*SMS\/PKG\/CM100010\/disk\/reference\.vhd \(4\.00 GiB\)/);
  t.deepEqual(await readdir(join(project.dir, 'staging')), [], 'nothing staged');
  t.deepEqual(await readdir(join(project.dir, 'out')).catch(() => []), [], 'no image, no partial file');
});
