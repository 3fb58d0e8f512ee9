import test from 'ava';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapmediaError } from '../../src/errors/index.js';
import { openImageSource } from '../../src/image/source.js';
import { restoreImage } from '../../src/image/restore.js';
import { runCli } from '../_helpers/cli.js';
import { readPartitionFiles, sha256Region, type ReferenceDisk } from '../_helpers/refdisk.js';
import { capturedReference, copyImage } from './_captured.js';

let work: string;
let image: string;
let reference: ReferenceDisk;

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'capmedia-image-restore-'));
  ({ image, reference } = await capturedReference(work));
});
test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('capmedia image restore writes a disk image with the same partitions, files and tables, sparse', async (t) => {
  const out = join(await mkdtemp(join(work, 'out-')), 'restored.img');
  const result = await runCli(['image', 'restore', image, '--to', out], { cwd: work });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /restored .* to .*restored\.img \(66\.0 MiB .*4 parts verified\)/);
  for (const partition of reference.partitions)
    t.deepEqual(await readPartitionFiles(out, partition), { files: partition.files, fsckClean: true });
  const gpt = reference.partitions[0].offset;
  t.is(await sha256Region(out, 0, gpt), await sha256Region(reference.image, 0, gpt), 'boot area and primary GPT');
  t.is(
    await sha256Region(out, reference.bytes - 33 * 512, 33 * 512),
    await sha256Region(reference.image, reference.bytes - 33 * 512, 33 * 512),
    'backup GPT',
  );
  const info = await stat(out);
  t.is(info.size, reference.bytes);
  t.true(info.blocks * 512 < info.size, 'zeros are left as holes');
});

test('a damaged part stops the restore and leaves no disk image behind', async (t) => {
  const copy = await copyImage(image, work);
  const handle = await open(join(copy, 'part2.img.zst'), 'r+');
  await handle.write(Buffer.from('garbage'), 0, 7, 100);
  await handle.close();
  const dir = await mkdtemp(join(work, 'out-'));
  const error = await t.throwsAsync(restoreImage(await openImageSource(copy), join(dir, 'restored.img')), { instanceOf: CapmediaError });
  t.is(error?.code, 'IMAGE_INVALID');
  t.deepEqual(await readdir(dir), []);
});

test('an existing file is kept unless --force; a device is never a target', async (t) => {
  const dir = await mkdtemp(join(work, 'out-'));
  const existing = join(dir, 'disk.img');
  await writeFile(existing, 'keep me');
  const refused = await runCli(['image', 'restore', image, '--to', existing], { cwd: work });
  t.is(refused.exitCode, 2);
  t.regex(refused.stderr, /already exists/);
  t.is(await readFile(existing, 'utf8'), 'keep me');
  const forced = await runCli(['image', 'restore', image, '--to', existing, '--force'], { cwd: work });
  t.is(forced.exitCode, 0, forced.all);
  t.is((await stat(existing)).size, reference.bytes);
  const device = await runCli(['image', 'restore', image, '--to', '/dev/null'], { cwd: work });
  t.is(device.exitCode, 2);
  t.regex(device.stderr, /not a regular file: capmedia image restore writes disk image files only/);
});
