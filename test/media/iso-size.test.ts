import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import { isoMedia } from '../../src/plugins/media/iso/index.js';
import type { PackInput, StoreContent } from '../../src/plugins/media/types.js';
import { derivedCache } from '../../src/tasks/derived-cache.js';
import { exec, type Exec } from '../../src/tools/exec.js';
import { bootableContent } from './_boot-image.js';
import { buildServices } from './_derived.js';

const EPOCH = 1_764_000_000;
const ENV = { SOURCE_DATE_EPOCH: String(EPOCH), TZ: 'UTC', LC_ALL: 'C' };

/** A volume to measure and pack, with a count of the xorriso runs that only measured (-print-size). */
async function volume(t: { teardown(fn: () => Promise<void>): void }, content: StoreContent, bootable: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-iso-size-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [treeDir, workDir] = [join(dir, 'tree'), join(dir, 'work')];
  await Promise.all([mkdir(treeDir), mkdir(workDir)]);
  await writeFile(join(treeDir, 'MediaLabel.txt'), 'label=Size\n');
  let measured = 0;
  const counting = (async (command: string, args: readonly string[], options?: object) => {
    if (args.includes('-print-size')) measured++;
    return exec(command, args, options as never);
  }) as Exec;
  const input: PackInput = {
    ...{ treeDir, workDir, output: join(dir, 'out.iso'), label: 'Size', platform: linuxPlatform, exec: counting, env: ENV },
    ...{ sourceDateEpoch: EPOCH, notice: () => {}, bootable, content },
  };
  return { dir, input, measured: () => measured };
}

/** Data files in a small store: a set's data volume. */
async function dataContent(dir: string): Promise<StoreContent> {
  const store = join(dir, 'store');
  await mkdir(store, { recursive: true });
  const files = [];
  for (let i = 0; i < 30; i++) {
    const sha256 = `${String(i).padStart(2, '0')}${'0'.repeat(62)}`;
    await writeFile(join(store, sha256), Buffer.alloc(1000 + i * 700, i));
    files.push({ target: `SMS/PKG/P${i % 3}/dir${i % 5}/file-${i}.bin`, sha256, size: 1000 + i * 700, packageId: `P${i % 3}` });
  }
  return { files, blobPath: (sha256) => join(store, sha256) };
}

for (const bootable of [true, false]) {
  test(`the measured size of a ${bootable ? 'boot' : 'data'} volume is the size xorriso writes, measured or remembered`, async (t) => {
    const scratch = await mkdtemp(join(tmpdir(), 'capmedia-iso-size-content-'));
    t.teardown(() => rm(scratch, { recursive: true, force: true }));
    const content = bootable ? await bootableContent(scratch) : await dataContent(scratch);
    const { dir, input, measured } = await volume(t, content, bootable);
    const cacheDir = join(dir, 'cache');
    const first = await isoMedia.estimateSize!({ ...input, derived: derivedCache(buildServices(cacheDir)) });
    t.is(measured(), 1);
    const written = await isoMedia.pack({ ...input, derived: derivedCache(buildServices(cacheDir)) });
    t.is(first, written.size, 'the estimate is exact');
    t.is(await isoMedia.estimateSize!({ ...input, derived: derivedCache(buildServices(cacheDir)) }), written.size);
    t.is(measured(), 1, 'the same volume in a later build (or round) is a lookup');
    t.is(await isoMedia.estimateSize!(input), written.size, 'and equals what xorriso measures without a cache');
    t.is(measured(), 2);
  });
}

test('a volume whose generated files or xorriso changed is measured again', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'capmedia-iso-size-content-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const { dir, input, measured } = await volume(t, await dataContent(scratch), false);
  const cacheDir = join(dir, 'cache');
  const estimate = (tools?: Record<string, string>) =>
    isoMedia.estimateSize!({ ...input, derived: derivedCache(buildServices(cacheDir, tools)) });
  const small = await estimate();
  // The set manifest grows by more than a sector when a volume is added: same path, another size.
  await mkdir(join(input.treeDir, 'SMS'), { recursive: true });
  await writeFile(join(input.treeDir, 'SMS', 'media-set.json'), 'x'.repeat(5000));
  const withManifest = await estimate();
  t.is(measured(), 2);
  await writeFile(join(input.treeDir, 'SMS', 'media-set.json'), 'x'.repeat(9000));
  const larger = await estimate();
  t.is(measured(), 3);
  t.is(larger - withManifest, 2 * 2048, 'two more sectors of manifest, measured by xorriso');
  t.true(withManifest > small);
  await estimate({ xorriso: 'xorriso 1.5.6' });
  t.is(measured(), 4, 'another xorriso may lay out differently');
  t.is(await isoMedia.pack(input).then((r) => r.size), larger);
});
