import { loadConfig } from '../config/load.js';
import { defaultCacheDir } from '../config/normalize.js';
import { formatBytes } from '../config/size.js';
import { isCapmediaError } from '../errors/index.js';
import { loadStats } from '../cache/remote/stats.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';
import type { Outcome } from './outcome.js';

/** `capmedia cache stats`: hits, misses and bytes moved by the last build that used this cache. */
export async function cacheStatsCommand(args: CommonArgs, printer: Printer): Promise<Outcome> {
  let cacheDir = defaultCacheDir();
  try {
    cacheDir = (await loadConfig({ cwd: args.cwd, configFile: args.config })).config.cacheDir;
  } catch (error) {
    if (!isCapmediaError(error) || error.code !== 'CONFIG_NOT_FOUND') throw error;
  }
  const stats = await loadStats(cacheDir);
  printer.result(stats ?? { cacheDir, lastBuild: null }, () => {
    if (!stats) return `no build has used the cache ${cacheDir} yet`;
    const lines = [
      `last build: ${stats.finishedAt} (cache ${cacheDir})`,
      `  local cache:  ${stats.local.hits} hit(s), ${stats.local.misses} miss(es)`,
    ];
    const remote = stats.remote;
    if (!remote) lines.push('  remote cache: none configured');
    else {
      lines.push(
        `  remote cache: ${remote.url} (${remote.write ? 'read-write' : 'read-only'})${remote.unreachable ? ', unreachable' : ''}`,
        `    ${remote.hits} hit(s), ${remote.misses} miss(es), ${remote.ignored} ignored (bad signature or hash)`,
        `    down: ${formatBytes(remote.bytesDown)} in ${remote.blobsDown} blob(s)`,
        `    up:   ${formatBytes(remote.bytesUp)} in ${remote.blobsUp} blob(s) and ${remote.recordsUp} record(s)`,
      );
    }
    return lines.join('\n');
  });
  return 'ok';
}
