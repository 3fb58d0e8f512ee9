import test from 'ava';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { collectTree, sortEntries, writeCpioGz, type CpioEntry } from '../../src/bootimage/cpio.js';
import { exec } from '../../src/tools/exec.js';
import { tempDir } from '../_helpers/bootimage.js';

/** A tree with sizes that are not multiples of 4, an empty file, a symlink and an executable. */
async function sampleTree(root: string): Promise<void> {
  await mkdir(join(root, 'b/deeper'), { recursive: true });
  await mkdir(join(root, 'a-dir'));
  await writeFile(join(root, 'b/deeper/three'), 'abc');
  await writeFile(join(root, 'b/empty'), '');
  await writeFile(join(root, 'a-dir/five5'), '12345');
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o700 });
  await symlink('b/deeper/three', join(root, 'link'));
}

test('GNU cpio extracts what writeCpioGz wrote, contents and types intact', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  await sampleTree(join(dir, 'src'));
  const device: CpioEntry = { path: 'dev/console', type: 'char-device', mode: 0o600, major: 5, minor: 1 };
  const entries = [...(await collectTree(join(dir, 'src'))), { path: 'dev', type: 'directory', mode: 0o755 } as CpioEntry, device];
  await writeCpioGz(entries, join(dir, 'out.cpio.gz'), 1_700_000_000);
  const archive = gunzipSync(await readFile(join(dir, 'out.cpio.gz')));
  t.is(archive.length % 4, 0);

  const { stdout } = await exec('cpio', ['-itv', '--quiet'], { input: archive });
  t.regex(stdout, /^crw------- .* 5,\s+1 .* dev\/console$/m);
  t.regex(stdout, /^lrwxrwxrwx .* link -> b\/deeper\/three$/m);
  t.regex(stdout, /^-rwxr-xr-x .* run\.sh$/m);
  t.regex(stdout, /^-rw-r--r-- .* 0 .* b\/empty$/m);

  // Extract everything but the device node (mknod would need root on some hosts).
  await mkdir(join(dir, 'out'));
  await exec('cpio', ['-id', '--quiet', '--no-absolute-filenames', '-f', 'dev/console'], { input: archive, cwd: join(dir, 'out') });
  t.is(await readFile(join(dir, 'out/b/deeper/three'), 'utf8'), 'abc');
  t.is(await readFile(join(dir, 'out/a-dir/five5'), 'utf8'), '12345');
  t.is(await readFile(join(dir, 'out/link'), 'utf8'), 'abc');
});

test('the archive is a function of the entries: same bytes, whatever order they come in', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  await sampleTree(join(dir, 'src'));
  const entries = await collectTree(join(dir, 'src'));
  await writeCpioGz(entries, join(dir, 'one.gz'), 0);
  await writeCpioGz([...entries].reverse(), join(dir, 'two.gz'), 0);
  t.true((await readFile(join(dir, 'one.gz'))).equals(await readFile(join(dir, 'two.gz'))));
});

test('entries sort by bytes, so every folder precedes its contents', (t) => {
  const paths = ['b/x', 'a-b', 'a', 'a/b', 'B'].map((path): CpioEntry => ({ path, type: 'directory', mode: 0o755 }));
  t.deepEqual(
    sortEntries(paths).map((entry) => entry.path),
    ['B', 'a', 'a-b', 'a/b', 'b/x'],
  );
});
