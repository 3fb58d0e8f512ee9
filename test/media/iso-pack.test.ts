import test from 'ava';
import { link, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import { isoMedia } from '../../src/plugins/media/iso/index.js';
import type { PackInput } from '../../src/plugins/media/types.js';
import { exec } from '../../src/tools/exec.js';
import { extractFromIso } from '../../src/tools/xorriso.js';

const EPOCH = 1_764_000_000;
const ENV = { SOURCE_DATE_EPOCH: String(EPOCH), TZ: 'UTC', LC_ALL: 'C' };
const sha = (body: string) => createHash('sha256').update(body).digest('hex');

/** A content store of two blobs, a staged tree holding only MediaLabel.txt, and a data volume (no boot records) to pack. */
async function fixture(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-iso-pack-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = join(dir, 'store=cas');
  const treeDir = join(dir, 'tree');
  const workDir = join(dir, 'work');
  await Promise.all([mkdir(store), mkdir(treeDir), mkdir(workDir)]);
  const blobs = { data: 'the same bytes at two paths\n', label: 'label=from a package\n' };
  for (const body of Object.values(blobs)) await writeFile(join(store, sha(body)), body);
  await writeFile(join(treeDir, 'MediaLabel.txt'), 'label=Generated\n');
  const files = [
    { target: 'SMS/PKG/P1/a.txt', body: blobs.data },
    { target: 'SMS/PKG/P1/b/same name=.txt', body: blobs.data },
    { target: 'MediaLabel.txt', body: blobs.label },
  ].map(({ target, body }) => ({ target, sha256: sha(body), size: body.length, packageId: 'P1' }));
  const input: PackInput = {
    treeDir,
    workDir,
    output: join(dir, 'out.iso'),
    label: 'Pack Test',
    platform: linuxPlatform,
    exec,
    env: ENV,
    sourceDateEpoch: EPOCH,
    notice: () => {},
    bootable: false,
    content: { files, blobPath: (hash) => join(store, hash) },
  };
  return { dir, store, input, blobs };
}

test('an ISO is grafted from the blobs: no link is made to them, and the staged tree wins over a blob at the same path', async (t) => {
  const { dir, store, input, blobs } = await fixture(t);
  const result = await isoMedia.pack(input);
  t.is(result.size, (await stat(input.output)).size);
  t.is((await stat(join(store, sha(blobs.data)))).nlink, 1, 'the blob was read where it lies, never linked');
  for (const [path, expected] of [
    ['SMS/PKG/P1/a.txt', blobs.data],
    ['SMS/PKG/P1/b/same name=.txt', blobs.data],
    ['MediaLabel.txt', 'label=Generated\n'],
  ]) {
    const out = join(dir, 'extracted');
    await rm(out, { force: true });
    await extractFromIso(exec, input.output, path, out);
    t.is(await readFile(out, 'utf8'), expected, path);
  }
});

test('the bytes do not depend on where the blobs are, nor on whether they come from a store or a tree', async (t) => {
  const { dir, input } = await fixture(t);
  await isoMedia.pack(input);
  const treeOnly = join(dir, 'tree-only');
  for (const file of input.content!.files) {
    if (file.target === 'MediaLabel.txt') continue;
    await mkdir(join(treeOnly, file.target, '..'), { recursive: true });
    await link(input.content!.blobPath(file.sha256), join(treeOnly, file.target));
  }
  await writeFile(join(treeOnly, 'MediaLabel.txt'), 'label=Generated\n');
  const second = { ...input, treeDir: treeOnly, content: undefined, output: join(dir, 'tree.iso') };
  await isoMedia.pack(second);
  t.true((await readFile(input.output)).equals(await readFile(second.output)));
});
