import type { NormalizedConfig } from '../../config/normalize.js';
import { RemoteCache } from './client.js';
import { remoteCacheSettings } from './settings.js';
import { redact } from '../../redact.js';

export { RemoteCache } from './client.js';
export { Uploads } from './uploads.js';

/** The remote cache of this build, or undefined when none is configured (cache.remote, CAPMEDIA_REMOTE_CACHE). */
export function openRemoteCache(
  config: NormalizedConfig,
  env: NodeJS.ProcessEnv,
  notices: string[],
  signal?: AbortSignal,
): RemoteCache | undefined {
  const settings = remoteCacheSettings(config, env);
  return settings && new RemoteCache(settings, (message) => notices.push(`warning: ${redact(message)}`), signal);
}
