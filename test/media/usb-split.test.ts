import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { CapmediaError } from '../../src/errors/index.js';
import { createUsbMedia } from '../../src/plugins/media/usb/index.js';
import { verifySplitWim, wimInfo } from '../../src/tools/wimlib.js';
import { exec } from '../../src/tools/exec.js';
import { imageMedia, mtool, packWith, scratchTree } from './_usb.js';

/**
 * The real limit is 4 GiB; a WIM that large takes minutes and ~12 GB of disk
 * to make, capture and split. The limit is injected instead: 8 MiB files,
 * 3 MiB parts — the same code path, at 1/512 scale.
 */
const MiB = 2 ** 20;
const LIMITS = { maxFileBytes: 8 * MiB, splitPartMiB: 3 };

/** A WIM of incompressible data, made with wimlib from random files. */
async function randomWim(dir: string, wim: string, fileSizes: number[]): Promise<number> {
  const source = join(dir, 'wim-source');
  await mkdir(source, { recursive: true });
  for (const [i, size] of fileSizes.entries()) await writeFile(join(source, `data${i}.bin`), randomBytes(size));
  await mkdir(join(wim, '..'), { recursive: true });
  await execa('wimlib-imagex', ['capture', source, wim, 'Reference', '--compress=none']);
  return (await stat(wim)).size;
}

test('splitLargeFiles: a .wim over the limit goes onto the image as .swm parts, each under the limit, readable by wimlib', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  const wimSize = await randomWim(scratch.dir, join(scratch.treeDir, 'SMS/PKG/CM100020/install.wim'), [
    3 * MiB,
    3 * MiB,
    3 * MiB,
    3 * MiB,
    2 * MiB,
  ]);
  t.true(wimSize > LIMITS.maxFileBytes);
  const output = join(scratch.dir, 'capture.img');
  const packed = await packWith(createUsbMedia({ limits: LIMITS }), scratch, imageMedia(output, { splitLargeFiles: true }), output);
  t.regex(packed.notices.join('\n'), /SMS\/PKG\/CM100020\/install\.wim \(14\.\d+ MiB\) was split into \d+ \.swm parts/);
  const listing = (await mtool('mdir', output, '-/', '-b', '::/SMS/PKG/CM100020')).stdout;
  t.notRegex(listing, /install\.wim/);
  const extracted = join(scratch.dir, 'extracted');
  await mkdir(extracted);
  await mtool('mcopy', output, '::/SMS/PKG/CM100020/*', extracted);
  const parts = (await readdir(extracted)).sort();
  t.true(parts.length >= 5, parts.join(' '));
  t.is(parts[0], 'install.swm');
  for (const part of parts) {
    t.regex(part, /^install\d*\.swm$/);
    t.true((await stat(join(extracted, part))).size < LIMITS.maxFileBytes, `${part} is under the limit`);
  }
  const info = await wimInfo(exec, join(extracted, 'install.swm'));
  t.is(info.partNumber, `1/${parts.length}`);
  t.is(info.imageCount, 1);
  await t.notThrowsAsync(verifySplitWim(exec, join(extracted, 'install.swm')));
});

test('splitLargeFiles: a part that still exceeds the limit (one resource larger than it) is refused, naming it, and no image is made', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  await randomWim(scratch.dir, join(scratch.treeDir, 'sources/boot.wim'), [10 * MiB]);
  const output = join(scratch.dir, 'capture.img');
  const error = await t.throwsAsync(
    packWith(createUsbMedia({ limits: LIMITS }), scratch, imageMedia(output, { splitLargeFiles: true }), output),
  );
  t.is((error as CapmediaError).code, 'FILE_TOO_LARGE');
  t.regex(
    error!.message,
    /sources\/boot\.wim cannot be split into parts FAT32 can hold: one resource inside it is too large, so sources\/boot2\.swm \(10\.\d+ MiB\) exceeds the limit/,
  );
  await t.throwsAsync(stat(output), { code: 'ENOENT' });
  t.deepEqual((await readdir(join(scratch.treeDir, 'sources'))).sort(), ['boot.wim'], 'the parts are removed, the .wim is kept');
});

test('without splitLargeFiles a large .wim is refused at pack too', async (t) => {
  const scratch = await scratchTree();
  t.teardown(scratch.cleanup);
  await randomWim(scratch.dir, join(scratch.treeDir, 'sources/install.wim'), [9 * MiB]);
  const output = join(scratch.dir, 'capture.img');
  const error = await t.throwsAsync(packWith(createUsbMedia({ limits: LIMITS }), scratch, imageMedia(output), output));
  t.regex(error!.message, /sources\/install\.wim/);
  t.regex((error as CapmediaError).hint!, /media\.splitLargeFiles: true/);
});
