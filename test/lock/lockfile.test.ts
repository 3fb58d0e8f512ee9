import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CapmediaError } from '../../src/errors/index.js';
import { sha256Hex } from '../../src/library/hash.js';
import { manifestDocument, pinnedPath, publishManifest, readIndex, readPinned } from '../../src/library/versions.js';
import { assertLockMatches, lockDifferences } from '../../src/lock/diff.js';
import { LOCKFILE_VERSION, lockPathFor, readLock, serializeLock, writeLock, type LockFile } from '../../src/lock/lockfile.js';
import { parseShard, shardOf } from '../../src/lock/shard.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';

const entry = (version: string) => ({ version, manifestSha256: sha256Hex(version), kind: 'content' as const, size: 1 });

test('the lock serializes sorted, two-space, LF-terminated, whatever the insertion order', (t) => {
  const a: LockFile = { lockfileVersion: LOCKFILE_VERSION, packages: { B: entry('2'), A: entry('1') } };
  const b: LockFile = { packages: { A: entry('1'), B: entry('2') }, lockfileVersion: LOCKFILE_VERSION } as LockFile;
  t.is(serializeLock(a), serializeLock(b));
  t.regex(serializeLock(a), /^\{\n {2}"lockfileVersion": 1,\n {2}"packages": \{\n {4}"A": \{\n {6}"kind"/);
  t.true(serializeLock(a).endsWith('}\n'));
});

test('one lock per config: the searched-for names share capmedia.lock, any other config file gets <name>.lock', (t) => {
  const lockOf = (name: string) => lockPathFor({ configFile: join('/repo/site', name), baseDir: '/repo/site' });
  for (const name of ['capmedia.config.ts', 'capmedia.config.json', '.capmediarc', '.capmediarc.yaml', 'package.json'])
    t.is(lockOf(name), '/repo/site/capmedia.lock', name);
  t.is(lockOf('site-a.config.ts'), '/repo/site/site-a.lock');
  t.is(lockOf('site-b.config.yaml'), '/repo/site/site-b.lock');
  t.is(lockOf('prod.json'), '/repo/site/prod.lock');
  // Never the config itself.
  t.is(lockOf('odd.lock'), '/repo/site/odd.lock.lock');
  t.is(lockOf('.yaml'), '/repo/site/.yaml.lock');
  t.is(lockPathFor({ baseDir: '/repo/site' }), '/repo/site/capmedia.lock');
});

test('readLock: absent is undefined; another lockfileVersion, bad JSON or a bad entry is LOCK_INVALID (exit 2)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'capmedia.lock');
  t.is(await readLock(path), undefined);
  const good: LockFile = { lockfileVersion: LOCKFILE_VERSION, packages: { A: entry('1') } };
  await writeLock(path, good);
  t.deepEqual(await readLock(path), good);
  for (const [text, pattern] of [
    ['{"lockfileVersion": 2, "packages": {}}', /lockfileVersion is 2; this capmedia reads version 1/],
    ['{"lockfileVersion": 1, "packages": {', /not valid JSON/],
    ['{"lockfileVersion": 1, "packages": {"A": {"version": "1"}}}', /packages\.A\.manifestSha256/],
  ] as const) {
    await writeFile(path, text);
    const error = await t.throwsAsync(readLock(path), { instanceOf: CapmediaError });
    t.is((error as CapmediaError).code, 'LOCK_INVALID');
    t.is((error as CapmediaError).kind, 'usage');
    t.regex(error!.message, pattern);
  }
});

test('--locked: every difference between the lock and the config is named', (t) => {
  const lock: LockFile = { lockfileVersion: LOCKFILE_VERSION, packages: { A: entry('1'), OLD: entry('1') } };
  t.deepEqual(lockDifferences(lock, ['A', 'NEW']), [
    { id: 'NEW', problem: 'not in the lock' },
    { id: 'OLD', problem: 'not in the config' },
  ]);
  const error = t.throws(() => assertLockMatches(lock, ['A', 'NEW'], 'capmedia.lock'), { instanceOf: CapmediaError });
  t.is((error as CapmediaError).code, 'LOCK_MISMATCH');
  t.regex(error!.message, /NEW: in the config, not in capmedia\.lock\n\s+OLD: in capmedia\.lock, not in the config/);
  t.is(assertLockMatches(lock, ['OLD', 'A'], 'x'), lock);
});

test('shards are deterministic, disjoint, cover every media and differ in size by at most one', (t) => {
  const media = ['z', 'b', 'a', 'q', 'm', 'c', 'x'].map((name) => ({ name }));
  for (let count = 1; count <= 9; count++) {
    const shares = Array.from({ length: count }, (_, i) => shardOf(media, { index: i + 1, count }).map((m) => m.name));
    const all = shares.flat();
    t.is(all.length, media.length);
    t.is(new Set(all).size, media.length);
    const sizes = shares.map((s) => s.length);
    t.true(Math.max(...sizes) - Math.min(...sizes) <= 1);
    t.deepEqual(
      shardOf([...media].reverse(), { index: 1, count })
        .map((m) => m.name)
        .sort(),
      [...shares[0]].sort(),
    );
  }
  t.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/1', '2/1', '1/0', '1', 'a/b', '-1/2']) t.throws(() => parseShard(bad), { instanceOf: CapmediaError });
});

test('a manifest copy that does not hash to its name is refused; a library without copies serves a pin from its latest manifest', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'capmedia-lib-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dp = openDistributionPoint({ name: 'lib', url: pathToFileURL(root).href });
  const manifest = { id: 'PKG1', version: '1.0', name: 'PKG1', kind: 'content' as const, files: [] };
  const sha = await publishManifest(dp, manifest, new Date('2026-01-02T03:04:05Z'));
  t.is(sha, sha256Hex(manifestDocument(manifest)));
  t.deepEqual(await readIndex(dp, 'PKG1'), {
    id: 'PKG1',
    versions: [{ version: '1.0', manifestSha256: sha, date: '2026-01-02T03:04:05.000Z' }],
  });
  t.is((await readPinned(dp, 'PKG1', sha))?.manifest.version, '1.0');
  // tampered copy
  const copy = join(root, pinnedPath('PKG1', sha));
  await writeFile(copy, (await readFile(copy, 'utf8')).replace('"1.0"', '"1.1"'));
  const error = await t.throwsAsync(readPinned(dp, 'PKG1', sha), { instanceOf: CapmediaError });
  t.is((error as CapmediaError).code, 'HASH_MISMATCH');
  // no copies at all (an old library): the latest manifest still serves the pin while it hashes the same
  await rm(join(root, 'packages/PKG1'), { recursive: true });
  t.is((await readPinned(dp, 'PKG1', sha))?.sha256, sha);
  t.is(await readPinned(dp, 'PKG1', 'f'.repeat(64)), undefined);
  await mkdir(join(root, 'packages/PKG1'), { recursive: true });
  t.is(await readIndex(dp, 'PKG1'), undefined);
});
