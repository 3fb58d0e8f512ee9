import test, { type ExecutionContext } from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  moveIntoPlace,
  partialPath,
  PARTIAL_SUFFIX,
  previousVersionsRemoved,
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

test('moveIntoPlace: replaces a file (a new inode under the name, the old one gone, nothing left beside it)', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capture.iso');
  await writeFile(final, 'old');
  const before = await stat(final);
  const temp = partialPath(final);
  await writeFile(temp, 'new');
  await moveIntoPlace(temp, final);
  t.is(await readFile(final, 'utf8'), 'new');
  t.not((await stat(final)).ino, before.ino);
  t.deepEqual(await readdir(dir), ['capture.iso']);
});

test('moveIntoPlace, removePreviousLater: the new file is in place at once; the previous one is gone once previousVersionsRemoved settles', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capture.iso');
  await writeFile(final, 'old');
  const temp = partialPath(final);
  await writeFile(temp, 'new');
  await moveIntoPlace(temp, final, undefined, { removePreviousLater: true });
  t.is(await readFile(final, 'utf8'), 'new');
  await previousVersionsRemoved();
  t.deepEqual(await readdir(dir), ['capture.iso']);
  await t.notThrowsAsync(previousVersionsRemoved(), 'nothing left to wait for');
});

test('moveIntoPlace: when the new file cannot move in, the previous file is back under its name', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capture.iso');
  await writeFile(final, 'old');
  await t.throwsAsync(moveIntoPlace(join(dir, 'no-such-temp'), final, 'move the finished image into place at'), {
    instanceOf: CapmediaError,
    message: /move the finished image into place at/,
  });
  t.is(await readFile(final, 'utf8'), 'old');
  t.deepEqual(await readdir(dir), ['capture.iso']);
});

test('moveIntoPlace: a folder where the file goes is not moved aside (the rename fails, the folder stays)', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capture.iso');
  await mkdir(final);
  await writeFile(join(final, 'mine.txt'), 'mine');
  const temp = partialPath(final);
  await writeFile(temp, 'new');
  await t.throwsAsync(moveIntoPlace(temp, final), { instanceOf: CapmediaError });
  t.is(await readFile(join(final, 'mine.txt'), 'utf8'), 'mine');
});

test('removeStalePartials: a previous output a crash left aside comes back when its name is free, and is removed when not', async (t) => {
  const dir = await folder(t);
  const final = join(dir, 'capture.iso');
  // What a kill -9 between moveIntoPlace's two renames leaves: the old output aside, the new one still a partial.
  await writeFile(join(dir, '.capture.iso.0123abcd.capmedia-old'), 'previous');
  await writeFile(join(dir, `.capture.iso.89abcdef${PARTIAL_SUFFIX}`), 'new, never published');
  await writeFile(join(dir, '.other.iso.0123abcd.capmedia-old'), 'another output');
  await removeStalePartials(final);
  t.is(await readFile(final, 'utf8'), 'previous');
  t.deepEqual((await readdir(dir)).sort(), ['.other.iso.0123abcd.capmedia-old', 'capture.iso']);
  // A crash after the second rename: the new output is in place; what is aside is only the old one.
  await writeFile(join(dir, '.capture.iso.fedcba98.capmedia-old'), 'older');
  await removeStalePartials(final);
  t.is(await readFile(final, 'utf8'), 'previous');
  t.deepEqual((await readdir(dir)).sort(), ['.other.iso.0123abcd.capmedia-old', 'capture.iso']);
});
