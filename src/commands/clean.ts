import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { defaultCacheDir } from '../config/normalize.js';
import { isCapmediaError } from '../errors/index.js';
import { tmpdir } from 'node:os';
import type { Printer } from './output.js';
import { checkCacheFolder } from '../tasks/preflight.js';
import { stagingInUse } from '../tasks/staging-owner.js';
import type { CommonArgs } from './common.js';

/** Only folders capmedia itself names (capmedia-<media>-<12 hex>) are staging. */
const STAGING_NAME = /^capmedia-[A-Za-z0-9._-]+-[0-9a-f]{12}$/;

/**
 * What capmedia writes in the cache folder: its stores, records, download and
 * build scratch, and their atomic-write temps (fs/atomic.ts; `.tmp` from older
 * versions). Anything else is the user's.
 */
const CACHE_ENTRY =
  /^(?:(?:cas|ac|last|debs|efi)|(?:stat-cache|tools|last-build-stats)\.json(?:\.[0-9a-f]{12}\.tmp)?|\.(?:stat-cache|tools|last-build-stats)\.json\.[0-9a-f]{8}\.capmedia-partial|tmp-prepare-[A-Za-z0-9]{6})$/;

export async function cleanCommand(args: CommonArgs, printer: Printer): Promise<void> {
  let cacheDir = defaultCacheDir();
  let stagingDirs = [tmpdir()];
  try {
    const { config } = await loadConfig({ cwd: args.cwd, configFile: args.config });
    await checkCacheFolder(config);
    cacheDir = config.cacheDir;
    stagingDirs = [...new Set(config.media.map((m) => m.staging))];
  } catch (error) {
    if (!isCapmediaError(error) || error.code !== 'CONFIG_NOT_FOUND') throw error;
  }
  const removed: string[] = [];
  const kept: string[] = [];
  for (const name of (await readdir(cacheDir).catch(() => [] as string[])).filter((n) => CACHE_ENTRY.test(n))) {
    await rm(join(cacheDir, name), { recursive: true, force: true });
    removed.push(join(cacheDir, name));
  }
  // The folder goes too once nothing of the user's is left in it.
  if (
    await rmdir(cacheDir).then(
      () => true,
      () => false,
    )
  )
    removed.push(cacheDir);
  for (const dir of stagingDirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => STAGING_NAME.test(n))) {
      // Another config sharing media.staging may be building right now.
      if (await stagingInUse(join(dir, name))) {
        kept.push(join(dir, name));
        continue;
      }
      await rm(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    }
  }
  printer.result({ removed, kept }, () =>
    [...removed.map((r) => `removed ${r}`), ...kept.map((k) => `kept ${k} (a running build uses it)`)].join('\n'),
  );
}
