import test, { type ExecutionContext } from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PARTIAL_SUFFIX,
  removeStalePartials,
  replaceFile,
  replaceFolder,
  withScratchFolder,
  writeJsonAtomically,
} from '../../src/fs/atomic.js';
import { CapmediaError } from '../../src/errors/index.js';

async function folder(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-atomic-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('replaceFile: a failed write leaves the old file and no temp', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capmedia.lock');
  await writeFile(final, 'old');
  await t.throwsAsync(
    replaceFile(final, async (temp) => {
      await writeFile(temp, 'half');
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    }),
    { instanceOf: CapmediaError, code: 'NO_SPACE' },
  );
  t.is(await readFile(final, 'utf8'), 'old');
  t.deepEqual(await readdir(dir), ['capmedia.lock']);
  await writeJsonAtomically(final, { v: 1 });
  t.is(await readFile(final, 'utf8'), '{"v":1}\n');
  t.deepEqual(await readdir(dir), ['capmedia.lock']);
});

test('withScratchFolder: a partial-named folder beside the final name, removed after success and failure', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'image.wim');
  let seen = '';
  await withScratchFolder(final, async (scratch) => {
    seen = scratch;
    t.regex(scratch, new RegExp(`/\\.image\\.wim\\.[0-9a-f]{8}\\${PARTIAL_SUFFIX}$`));
    await writeFile(join(scratch, 'image.wim'), 'wim');
  });
  t.deepEqual(await readdir(dir), []);
  await t.throwsAsync(
    withScratchFolder(final, async (scratch) => {
      seen = scratch;
      await writeFile(join(scratch, 'x'), 'x');
      throw new TypeError('stop');
    }),
    { message: 'stop' },
  );
  t.deepEqual(await readdir(dir), [], `${seen} was left behind`);
});

test('withScratchFolder: its folder has the shape of a stale partial of its output, so a run killed inside it is cleaned up', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capture.img');
  await writeFile(join(dir, 'capture-notes.txt'), 'mine');
  await withScratchFolder(final, async (scratch) => {
    await writeFile(join(scratch, 'volume-1.img'), 'v');
    // What the next build does with the folder a kill -9 left.
    await removeStalePartials(final);
    t.deepEqual(await readdir(dir), ['capture-notes.txt']);
  });
  t.deepEqual(await readdir(dir), ['capture-notes.txt']);
});

/** A folder `name` holding old.txt, as a previous build left it. */
async function previousFolder(t: ExecutionContext, name: string): Promise<{ dir: string; final: string }> {
  const dir = await folder(t);
  const final = join(dir, name);
  await mkdir(final);
  await writeFile(join(final, 'old.txt'), 'old');
  return { dir, final };
}

test('replaceFolder: the new folder takes the place of the old, which is gone; with no old folder it is moved in', async (t) => {
  const { dir, final } = await previousFolder(t, 'netboot');
  const replaceWith = (name: string) =>
    withScratchFolder(final, async (temp) => {
      await writeFile(join(temp, name), name);
      await replaceFolder(temp, final);
    });
  await replaceWith('new.txt');
  t.deepEqual(await readdir(final), ['new.txt']);
  t.deepEqual(await readdir(dir), ['netboot']);
  await rm(final, { recursive: true });
  await replaceWith('again.txt');
  t.deepEqual(await readdir(final), ['again.txt']);
});

test('replaceFolder: when the new folder cannot be moved in, the old one is back in place', async (t) => {
  const { dir, final } = await previousFolder(t, 'bootimage');
  await t.throwsAsync(replaceFolder(join(dir, 'no-such-temp'), final), { instanceOf: CapmediaError, code: 'IO' });
  t.deepEqual(await readdir(final), ['old.txt']);
  t.deepEqual(await readdir(dir), ['bootimage']);
});
