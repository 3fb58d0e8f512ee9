import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { readFatNames } from '../../src/tools/fat-names.js';
import { fatNameProblems, isoNameProblems } from '../../src/commands/verify-names.js';
import { exec } from '../../src/tools/exec.js';
import { mtoolsEnv } from '../../src/tools/mtools.js';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capmedia-names-'));
});
test.after.always(async () => rm(dir, { recursive: true, force: true }));

/** A FAT32 image with the given names at its root, written by capmedia's mtools settings (or a plain LANG=C call). */
async function fatImage(name: string, files: string[], env: Record<string, string> = mtoolsEnv()): Promise<string> {
  const image = join(dir, name);
  await execa('mkfs.fat', ['-F', '32', '-C', image, '70000']);
  const sources = [];
  for (const file of files) {
    sources.push(join(dir, file));
    await writeFile(join(dir, file), file);
  }
  await execa('mcopy', ['-i', image, ...sources, '::/'], { env, extendEnv: false });
  return image;
}

test('long names read back exact, short-name-only entries with their case flags', async (t) => {
  const image = await fatImage('good.img', ['Åsa Öberg.txt', 'Größe', 'é.txt', 'README.TXT']);
  const names = await readFatNames(image, 0);
  t.deepEqual(names?.paths.sort(), ['Größe', 'README.TXT', 'Åsa Öberg.txt', 'é.txt'].sort());
  t.deepEqual(names?.problems, []);
  t.deepEqual(await fatNameProblems(image, 0), []);
});

test('mtools under LANG=C without capmedia settings writes each UTF-8 byte as a character (the bug capmedia avoids)', async (t) => {
  const image = await fatImage('lang-c.img', ['Größe.txt'], { LC_ALL: 'C', LANG: 'C', PATH: process.env.PATH! });
  t.notDeepEqual((await readFatNames(image, 0))?.paths, ['Größe.txt']);
});

async function corrupt(image: string, name: string, change: (slot: Buffer) => void): Promise<void> {
  const bytes = await readFile(image);
  const at = bytes.indexOf(Buffer.from(name.slice(0, 5), 'utf16le'));
  const slot = bytes.subarray(at - 1, at + 31);
  change(slot);
  await writeFile(image, bytes);
}

test('a long name whose checksum does not match its short entry is a problem', async (t) => {
  const image = await fatImage('orphan.img', ['Crème brûlée.txt']);
  await corrupt(image, 'Crème brûlée.txt', (slot) => void (slot[13] ^= 0xff));
  t.regex((await fatNameProblems(image, 0)).join('\n'), /does not belong to it/);
});

test('a long name that is not valid UTF-16 is a problem', async (t) => {
  const image = await fatImage('surrogate.img', ['Crème brûlée.txt']);
  await corrupt(image, 'Crème brûlée.txt', (slot) => slot.writeUInt16LE(0xd800, 1));
  t.regex((await fatNameProblems(image, 0)).join('\n'), /not valid UTF-16 and does not decode/);
});

test('verify lists names that differ between Rock Ridge and Joliet (an ISO made under LANG=C without a charset)', async (t) => {
  const tree = join(dir, 'tree');
  await execa('mkdir', ['-p', join(tree, 'Åsa Öberg')]);
  await writeFile(join(tree, 'Åsa Öberg', 'fil.txt'), 'x');
  const bad = join(dir, 'bad.iso');
  await execa('xorriso', ['-no_rc', '-as', 'mkisofs', '-joliet', '-rational-rock', '-o', bad, tree], { env: { LC_ALL: 'C', LANG: 'C' } });
  t.regex((await isoNameProblems(exec, bad)).join('\n'), /name differs between Rock Ridge and Joliet.*: Åsa Öberg/);
  const good = join(dir, 'good.iso');
  await execa('xorriso', ['-no_rc', '-as', 'mkisofs', '-input-charset', 'UTF-8', '-joliet', '-rational-rock', '-o', good, tree], {
    env: { LC_ALL: 'C', LANG: 'C' },
  });
  t.deepEqual(await isoNameProblems(exec, good), []);
});
