import test from 'ava';
import { mkdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../src/tools/exec.js';
import { writeIso } from '../../src/tools/xorriso.js';
import { isCapmediaError } from '../../src/errors/index.js';
import { tempFolder } from '../_helpers/temp.js';

const cancelled = (error: unknown) => isCapmediaError(error) && error.code === 'CANCELLED';

test('a program is not started once the build is cancelled', async (t) => {
  const dir = await tempFolder(t, 'capmedia-cancel-');
  const marker = join(dir, 'started');
  const controller = new AbortController();
  controller.abort();
  const error = await t.throwsAsync(exec('touch', [marker], { cancelSignal: controller.signal }));
  t.true(cancelled(error), String(error));
  await t.throwsAsync(stat(marker), { code: 'ENOENT' }, 'touch ran after the cancel');
});

test('xorriso stopped while writing ends at once, not after libburn has written on', async (t) => {
  const dir = await tempFolder(t, 'capmedia-cancel-');
  const tree = join(dir, 'tree');
  await mkdir(tree);
  // Sparse, so the image is large to write and cheap to make.
  await writeFile(join(tree, 'big.bin'), '');
  await truncate(join(tree, 'big.bin'), 3 * 1024 ** 3);
  const controller = new AbortController();
  const output = join(dir, 'out.iso');
  const writing = writeIso({
    sourceDateEpoch: 1764000000,
    sources: { treeDir: tree },
    output,
    volumeId: 'CANCEL',
    bootArgs: [],
    exec,
    env: {},
    cancelSignal: controller.signal,
    workDir: dir,
  });
  // Cancel once xorriso is writing the image.
  for (
    let i = 0;
    i < 400 &&
    (await stat(output).then(
      (s) => s.size,
      () => 0,
    )) <
      8 * 1024 ** 2;
    i++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  t.true((await stat(output)).size >= 8 * 1024 ** 2, 'xorriso never started writing');
  const started = Date.now();
  controller.abort();
  const error = await t.throwsAsync(writing);
  const ms = Date.now() - started;
  t.true(cancelled(error), String(error));
  t.true(ms < 500, `xorriso took ${ms} ms to stop`);
});
