import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { defaultCacheDir } from '../config/normalize.js';
import { isCapmediaError } from '../errors.js';
import { tmpdir } from 'node:os';
import type { Printer } from './output.js';
import { checkCacheFolder } from '../tasks/preflight.js';
import type { CommonArgs } from './common.js';

/** Only folders capmedia itself names (capmedia-<media>-<12 hex>) are stale staging. */
const STAGING_NAME = /^capmedia-[A-Za-z0-9._-]+-[0-9a-f]{12}$/;

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
  await rm(cacheDir, { recursive: true, force: true });
  removed.push(cacheDir);
  for (const dir of stagingDirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => STAGING_NAME.test(n))) {
      await rm(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    }
  }
  printer.result({ removed }, () => removed.map((r) => `removed ${r}`).join('\n'));
}
