import test, { type ExecutionContext } from 'ava';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import tar from 'tar-stream';
import { runCli } from '../_helpers/cli.js';
import { tempFolder } from '../_helpers/temp.js';
import { publishTarball } from '../../src/library/publish.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import { sha256Hex } from '../../src/library/hash.js';
import { CapmediaError } from '../../src/errors/index.js';

type Entry = { name: string; body?: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device'; linkname?: string };

/** A tarball crafted entry by entry: GNU tar would strip "../" and leading "/" before we ever saw them. */
async function craft(t: ExecutionContext, entries: Entry[], gzip = false): Promise<{ dir: string; tarball: string }> {
  const dir = await tempFolder(t, 'capmedia-tar-');
  const tarball = join(dir, gzip ? 'package.tar.gz' : 'package.tar');
  const pack = tar.pack();
  const bytes = Readable.from(pack as AsyncIterable<Buffer>);
  const written = gzip ? pipeline(bytes, createGzip(), createWriteStream(tarball)) : pipeline(bytes, createWriteStream(tarball));
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const body = type === 'file' ? (entry.body ?? '') : '';
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: entry.name, type, linkname: entry.linkname, mode: 0o644, size: Buffer.byteLength(body) }, body, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }
  pack.finalize();
  await written;
  return { dir, tarball };
}

async function library(t: ExecutionContext) {
  const root = await tempFolder(t, 'capmedia-lib-');
  return { root, dp: openDistributionPoint({ name: 'lib', url: pathToFileURL(root).href }) };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

test('a tar with ../evil is refused through the CLI and writes nothing, inside or outside', async (t) => {
  const { dir, tarball } = await craft(t, [
    { name: 'ok.txt', body: 'fine' },
    { name: '../evil', body: 'owned' },
  ]);
  const lib = await library(t);
  const result = await runCli(['distribute', tarball, '--package', 'EVIL', '--to', pathToFileURL(lib.root).href], { cwd: dir });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /Refusing the path "\.\.\/evil" in the tarball .*climbs out of the package/);
  t.false(await exists(join(dir, '..', 'evil')));
  t.false(await exists(join(lib.root, '..', 'evil')));
  t.deepEqual(await readdir(lib.root), []);
});

for (const [title, entries, expected] of [
  ['an absolute path', [{ name: '/etc/evil', body: 'x' }], /it is absolute/],
  [
    'a symlink that climbs out',
    [{ name: 'link', type: 'symlink', linkname: '../../etc/passwd' }],
    /link link → \.\.\/\.\.\/etc\/passwd .*points outside the package/,
  ],
  ['an absolute symlink', [{ name: 'sub/link', type: 'symlink', linkname: '/etc/shadow' }], /points outside the package/],
  ['a hard link to a path outside', [{ name: 'hard', type: 'link', linkname: '../outside' }], /climbs out of the package/],
  ['a device', [{ name: 'tty', type: 'character-device' }], /it is a character-device/],
  ['a dangling symlink', [{ name: 'link', type: 'symlink', linkname: 'nowhere.txt' }], /points to nothing/],
] as Array<[string, Entry[], RegExp]>) {
  test(`a tarball with ${title} is refused before anything is published`, async (t) => {
    const { tarball } = await craft(t, [{ name: 'ok.txt', body: 'fine' }, ...entries]);
    const lib = await library(t);
    const error = await t.throwsAsync(publishTarball(tarball, { id: 'BAD' }, lib.dp), { instanceOf: CapmediaError });
    t.regex(error!.message, expected);
    t.deepEqual(await readdir(lib.root), []);
  });
}

test('links inside the package carry their target bytes; a lone top folder holding the metadata is the package root', async (t) => {
  const { tarball } = await craft(
    t,
    [
      { name: 'pkg/', type: 'directory' },
      { name: 'pkg/capmedia-package.json', body: JSON.stringify({ name: 'Demo', version: '3' }) },
      { name: 'pkg/dir/real.txt', body: 'real bytes' },
      { name: 'pkg/alias.txt', type: 'symlink', linkname: 'dir/real.txt' },
      { name: 'pkg/again.txt', type: 'link', linkname: 'pkg/dir/real.txt' },
    ],
    true,
  );
  const lib = await library(t);
  const { manifest, uploaded } = await publishTarball(tarball, { id: 'LINKS' }, lib.dp);
  const sha = sha256Hex('real bytes');
  t.deepEqual(
    manifest.files,
    ['again.txt', 'alias.txt', 'dir/real.txt'].map((path) => ({ path, size: 10, sha256: sha })),
  );
  t.is(manifest.name, 'Demo');
  t.is(manifest.version, '3');
  t.is(uploaded, 1);
  t.is(await readFile(join(lib.root, 'files', sha.slice(0, 2), sha), 'utf8'), 'real bytes');
  t.true(await exists(join(lib.root, 'packages/LINKS.json')));
});

test('a file that is not a tar archive reads as such', async (t) => {
  const dir = await tempFolder(t, 'capmedia-tar-');
  await writeFile(join(dir, 'junk.tar.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(600, 1)]));
  const lib = await library(t);
  const error = await t.throwsAsync(publishTarball(join(dir, 'junk.tar.gz'), { id: 'JUNK' }, lib.dp), { instanceOf: CapmediaError });
  t.is(error!.code, 'PACKAGE_INVALID');
  t.regex(error!.message, /is not a readable tar archive/);
});
