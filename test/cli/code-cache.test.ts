import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { codeCacheKey, codeCachePath, readCodeCache, writeCodeCache, type CodeCacheEntry } from '../../src/code-cache/entry.js';

/** The entry file of the CLI's code cache (src/code-cache/entry.ts); the launcher that uses it is in bundle.test.ts. */
let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capmedia-code-cache-'));
});
test.after.always(() => rm(dir, { recursive: true, force: true }));

const bundle = { sha256: 'a'.repeat(64), size: 3_000_000, mtimeMs: 1_700_000_000_000 };
const runtime = { version: 'v20.20.2', arch: 'x64', flags: [] as string[] };
const key = codeCacheKey(bundle, runtime);
const entry = (data = randomBytes(4096)): CodeCacheEntry => ({ key, commands: ['build'], data });

test('the key changes with the bundle, its size and mtime, the runtime and every flag', (t) => {
  const keys = [
    key,
    codeCacheKey({ ...bundle, sha256: 'b'.repeat(64) }, runtime),
    codeCacheKey({ ...bundle, size: bundle.size + 1 }, runtime),
    codeCacheKey({ ...bundle, mtimeMs: bundle.mtimeMs + 1 }, runtime),
    codeCacheKey(bundle, { ...runtime, version: 'v20.20.3' }),
    codeCacheKey(bundle, { ...runtime, arch: 'arm64' }),
    codeCacheKey(bundle, { ...runtime, flags: ['--jitless'] }),
    codeCacheKey(bundle, { ...runtime, flags: ['--jit', 'less'] }),
  ];
  t.is(new Set(keys).size, keys.length);
  t.is(codeCacheKey(bundle, runtime), key);
  t.regex(codeCachePath('/c', key, bundle.sha256), /^\/c\/code\/a{16}-[0-9a-f]{8}\.bin$/);
  t.not(codeCachePath('/c', keys[4], bundle.sha256), codeCachePath('/c', key, bundle.sha256));
});

test('an entry reads back as written', (t) => {
  const path = codeCachePath(join(dir, 'roundtrip'), key, bundle.sha256);
  const written = entry();
  t.is(writeCodeCache(path, written), undefined);
  const read = readCodeCache(path, key);
  t.is(read.state, 'found');
  if (read.state !== 'found') return;
  t.deepEqual(read.entry.commands, ['build']);
  t.deepEqual(Buffer.from(read.entry.data), Buffer.from(written.data));
  t.is(readCodeCache(join(dir, 'roundtrip', 'none.bin'), key).state, 'missing');
});

test('a truncated, foreign or unreadable entry is corrupt, never used (V8 checks the checksum of the code itself)', async (t) => {
  const path = codeCachePath(join(dir, 'damaged'), key, bundle.sha256);
  const fresh = async () => {
    t.is(writeCodeCache(path, entry()), undefined);
    return readFile(path);
  };
  const bytes = await fresh();
  await truncate(path, bytes.length - 1);
  t.is(readCodeCache(path, key).state, 'corrupt');
  const longer = await fresh();
  await writeFile(path, Buffer.concat([longer, Buffer.from([0])]));
  t.is(readCodeCache(path, key).state, 'corrupt');
  await writeFile(path, randomBytes(200));
  t.is(readCodeCache(path, key).state, 'corrupt');
  await writeFile(path, 'capmedia-code-cache 2\n{"key": truncated');
  t.is(readCodeCache(path, key).state, 'corrupt');
  await fresh();
  t.is(readCodeCache(path, codeCacheKey(bundle, { ...runtime, arch: 'arm64' })).state, 'corrupt');
  t.is(readCodeCache(path, key).state, 'found');
});

test('a cache folder that cannot be written is reported, not thrown, and leaves no temp file', async (t) => {
  // A file where the folder should be: refused even for root.
  const blocked = join(dir, 'blocked');
  await writeFile(blocked, 'not a folder');
  t.regex(writeCodeCache(codeCachePath(blocked, key, bundle.sha256), entry()) ?? '', /ENOTDIR|EEXIST/);
  const folder = join(dir, 'folder-in-the-way');
  const path = codeCachePath(folder, key, bundle.sha256);
  t.is(writeCodeCache(path, entry()), undefined);
  // A folder where the entry's name is: the rename fails after the temp file was written.
  await rm(path);
  await mkdir(join(path, 'sub'), { recursive: true });
  t.truthy(writeCodeCache(path, entry()));
  t.deepEqual(await readdir(join(folder, 'code')), [basename(path)]);
});

test('writing an entry keeps the four written last', async (t) => {
  const folder = join(dir, 'prune');
  const paths = Array.from({ length: 6 }, (_, i) => codeCachePath(folder, codeCacheKey({ ...bundle, size: i }, runtime), bundle.sha256));
  for (const [i, path] of paths.entries()) {
    t.is(writeCodeCache(path, entry()), undefined);
    // Apart in time, as versions are: the order does not rest on the clock's resolution.
    await utimes(path, 1_700_000_000 + i, 1_700_000_000 + i);
  }
  t.is(writeCodeCache(paths[5], entry()), undefined);
  const names = (await readdir(join(folder, 'code'))).sort();
  t.deepEqual(
    names,
    paths
      .slice(2)
      .map((p) => p.split('/').pop()!)
      .sort(),
  );
});
