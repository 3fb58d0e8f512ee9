import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CapmediaError } from '../../src/errors/index.js';
import { publishManifest } from '../../src/library/versions.js';
import type { LockEntry } from '../../src/lock/lockfile.js';
import { readPinnedFromAnyDp } from '../../src/lock/pinned.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';

async function library(t: { teardown: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'capmedia-pinned-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dp = openDistributionPoint({ name: 'lib', url: pathToFileURL(root).href });
  const manifest = { id: 'PKG1', version: '1.0', name: 'PKG1', kind: 'content' as const, files: [] };
  const sha = await publishManifest(dp, manifest, new Date('2026-01-02T03:04:05Z'));
  return { dp, sha };
}

test('a pinned version no distribution point has names the lock file of this config', async (t) => {
  const { dp } = await library(t);
  const pin: LockEntry = { version: '0.9', kind: 'content', manifestSha256: 'e'.repeat(64), size: 0 };
  const error = await t.throwsAsync(readPinnedFromAnyDp([dp], 'PKG1', pin, 'site-a.lock'), { instanceOf: CapmediaError });
  t.is(error?.code, 'PINNED_VERSION_GONE');
  t.regex(error?.message ?? '', /pinned by site-a\.lock, is on no distribution point any more/);
  t.notRegex(error?.message ?? '', /capmedia\.lock/);
});

test('a lock entry that disagrees with the manifest it pins names the lock file of this config', async (t) => {
  const { dp, sha } = await library(t);
  const pin: LockEntry = { version: '2.0', kind: 'content', manifestSha256: sha, size: 0 };
  const error = await t.throwsAsync(readPinnedFromAnyDp([dp], 'PKG1', pin, 'prod.lock'), { instanceOf: CapmediaError });
  t.is(error?.code, 'LOCK_INVALID');
  t.regex(error?.message ?? '', /^prod\.lock says PKG1 is content version 2\.0, but the manifest it pins is content version 1\.0\./);
});
