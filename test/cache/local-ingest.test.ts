import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContentStore } from '../../src/cache/store.js';
import { fetchIntoStore, type FetchProgress } from '../../src/cache/fetch.js';
import { isTrusted, VERIFIED_MTIME } from '../../src/cache/blobs.js';
import { forEachInLanes } from '../../src/cache/pool.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import { CapmediaError } from '../../src/errors/index.js';
import type { PackageFile } from '../../src/library/manifest.js';
import { tempFolder } from '../_helpers/temp.js';

/** Large enough to be hashed on the hashing thread (8 MiB and up), and not a whole number of slabs. */
const LARGE = (12 << 20) + 12_345;

interface Library {
  root: string;
  blobPath(sha256: string): string;
  add(bytes: Buffer, path?: string): Promise<PackageFile>;
}

async function library(t: ExecutionContext): Promise<Library> {
  const root = await tempFolder(t, 'capmedia-lib-');
  const blobPath = (sha256: string) => join(root, 'files', sha256.slice(0, 2), sha256);
  return {
    root,
    blobPath,
    async add(bytes, path = 'file.bin') {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await mkdir(dirname(blobPath(sha256)), { recursive: true });
      await writeFile(blobPath(sha256), bytes);
      return { path, sha256, size: bytes.length };
    },
  };
}

const freshStore = async (t: ExecutionContext) => new ContentStore(await tempFolder(t, 'capmedia-cas-'));

/** Every file in the store, by name relative to its root: blobs and anything a failed copy left. */
async function storeEntries(store: ContentStore): Promise<string[]> {
  const names = await readdir(store.root, { recursive: true, withFileTypes: true }).catch(() => []);
  return names.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

for (const [kind, size] of [
  ['large', LARGE],
  ['small', 2048],
] as const) {
  test(`a ${kind} blob from a file: library is stored byte-identical and already marked verified`, async (t) => {
    const lib = await library(t);
    const file = await lib.add(randomBytes(size));
    const store = await freshStore(t);
    const progress: FetchProgress[] = [];
    store.onProgress = (p) => progress.push(p);
    const dp = openDistributionPoint({ name: 'lib', url: pathToFileURL(lib.root).href });
    await fetchIntoStore(store, file, 'PKG', [dp]);
    // Buffer.equals: ava's deepEqual walks a 12 MiB buffer for tens of seconds.
    t.true((await readFile(store.path(file.sha256))).equals(await readFile(lib.blobPath(file.sha256))));
    t.is((await stat(store.path(file.sha256))).mtimeMs, VERIFIED_MTIME * 1000);
    t.deepEqual(await storeEntries(store), [file.sha256], 'no temp file is left beside it');
    t.deepEqual(progress.at(-1), { bytes: size, totalBytes: size, files: 1, totalFiles: 1 });
  });

  test(`a ${kind} library blob changed to other bytes of the same size is refused and leaves nothing in the store`, async (t) => {
    const lib = await library(t);
    const file = await lib.add(randomBytes(size));
    const wrong = randomBytes(size);
    await writeFile(lib.blobPath(file.sha256), wrong);
    const store = await freshStore(t);
    const error = await t.throwsAsync(store.ingestLocalFile(file.sha256, file.size, lib.blobPath(file.sha256), 'file.bin of PKG'), {
      instanceOf: CapmediaError,
      message: /file\.bin of PKG is corrupt: got \d+ bytes with sha256/,
    });
    t.is(error?.code, 'HASH_MISMATCH');
    t.regex(error?.message ?? '', new RegExp(createHash('sha256').update(wrong).digest('hex').slice(0, 16)));
    t.deepEqual(await storeEntries(store), []);
  });
}

test('a library blob of the wrong length is refused with its real length', async (t) => {
  const lib = await library(t);
  const file = await lib.add(randomBytes(LARGE));
  await writeFile(lib.blobPath(file.sha256), randomBytes(LARGE + 1));
  const store = await freshStore(t);
  await t.throwsAsync(store.ingestLocalFile(file.sha256, file.size, lib.blobPath(file.sha256), 'file.bin'), {
    code: 'HASH_MISMATCH',
    message: new RegExp(`got ${LARGE + 1} bytes`),
  } as never);
  t.deepEqual(await storeEntries(store), []);
});

test('a batch of small blobs where one source is missing fails with the read error and leaves no temp file', async (t) => {
  const lib = await library(t);
  const files = await Promise.all(Array.from({ length: 40 }, (_, i) => lib.add(randomBytes(1000 + i), `f${i}`)));
  const missing = files[17];
  await rm(lib.blobPath(missing.sha256));
  const store = await freshStore(t);
  const error = await t.throwsAsync(
    forEachInLanes([{ items: files, limit: 8 }], (file) =>
      store.ingestLocalFile(file.sha256, file.size, lib.blobPath(file.sha256), file.path),
    ),
    { instanceOf: CapmediaError },
  );
  t.is(error?.code, 'IO');
  t.is(
    error?.message,
    `Cannot read ${lib.blobPath(missing.sha256)}: ENOENT: no such file or directory, open '${lib.blobPath(missing.sha256)}'`,
  );
  const entries = await storeEntries(store);
  t.false(
    entries.some((name) => !/^[0-9a-f]{64}$/.test(name)),
    entries.join(' '),
  );
  t.false(entries.includes(missing.sha256));
  for (const name of entries) t.is((await stat(store.path(name))).mtimeMs, VERIFIED_MTIME * 1000);
});

test('a cached blob is trusted by its size and mark; a changed one is hashed: kept if right, removed if damaged', async (t) => {
  const lib = await library(t);
  const good = await lib.add(randomBytes(3000));
  const damaged = await lib.add(randomBytes(3000));
  const store = await freshStore(t);
  for (const file of [good, damaged]) await store.ingestLocalFile(file.sha256, file.size, lib.blobPath(file.sha256), file.path);
  t.true(await isTrusted(store, good.sha256, good.size));
  await utimes(store.path(good.sha256), 1_700_000_000, 1_700_000_000);
  t.true(await isTrusted(store, good.sha256, good.size), 'touched but unchanged: hashed, and trusted');
  t.is((await stat(store.path(good.sha256))).mtimeMs, VERIFIED_MTIME * 1000, 'and marked again');
  await writeFile(store.path(damaged.sha256), randomBytes(3000));
  t.false(await isTrusted(store, damaged.sha256, damaged.size));
  await t.throwsAsync(stat(store.path(damaged.sha256)), { code: 'ENOENT' } as never, 'the damaged copy is removed');
});
