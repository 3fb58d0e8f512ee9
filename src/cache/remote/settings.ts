import { CapmediaError, fail } from '../../errors/index.js';
import { resolvePath, type NormalizedConfig } from '../../config/normalize.js';
import type { RemoteCacheConfig } from '../../config/schema.js';
import { displayUrl, resolveCredentials, type Credentials } from '../../plugins/dp/auth.js';

/** Where the remote cache is and what this runner may do with it, after the environment overrides. */
export interface RemoteCacheSettings {
  /** Ends in "/"; carries no credentials. */
  base: URL;
  write: boolean;
  credentials: Credentials;
  caFile?: string;
  /** The HMAC key, when records are signed; undefined with `signingKeyEnv` unset means "not signed". */
  signingKey?: Buffer;
  /** `signingKeyEnv` names a variable that is not set: records can be neither trusted nor signed. */
  signingKeyMissing?: string;
  connectTimeoutMs: number;
  stallTimeoutMs: number;
}

const DEFAULT_CONNECT_S = 5;
const DEFAULT_STALL_S = 30;

/**
 * cache.remote, with CI's overrides: CAPMEDIA_REMOTE_CACHE (the URL) and
 * CAPMEDIA_REMOTE_CACHE_WRITE=1 (only protected-branch jobs should set it).
 */
export function remoteCacheSettings(config: NormalizedConfig, env: NodeJS.ProcessEnv = process.env): RemoteCacheSettings | undefined {
  const configured: Partial<RemoteCacheConfig> = config.cache?.remote ?? {};
  const url = env.CAPMEDIA_REMOTE_CACHE || configured.url;
  if (!url) return undefined;
  const write = writeOverride(env.CAPMEDIA_REMOTE_CACHE_WRITE) ?? configured.write ?? false;
  const base = parseBase(url);
  return {
    base,
    write,
    credentials: credentials(configured.auth, write, env, config.baseDir),
    caFile: configured.ca ? resolvePath(config.baseDir, configured.ca) : undefined,
    signingKey: configured.signingKeyEnv && env[configured.signingKeyEnv] ? Buffer.from(env[configured.signingKeyEnv]!, 'utf8') : undefined,
    signingKeyMissing: configured.signingKeyEnv && !env[configured.signingKeyEnv] ? configured.signingKeyEnv : undefined,
    connectTimeoutMs: (configured.timeouts?.connect ?? DEFAULT_CONNECT_S) * 1000,
    stallTimeoutMs: (configured.timeouts?.stall ?? DEFAULT_STALL_S) * 1000,
  };
}

function writeOverride(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw fail('remoteCacheWriteInvalid', { shown: JSON.stringify(value) });
}

function parseBase(url: string): URL {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw fail('remoteCacheUrlInvalid', { url: JSON.stringify(url) });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw fail('remoteCacheUrlNotHttp', { base: displayUrl(base) });
  if (base.username || base.password) throw fail('remoteCacheUrlHasCredentials', { base: displayUrl(base) });
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

/**
 * A read-only runner (a pull request job) usually has no write secret: it
 * reads anonymously. A writer without its secret is a setup error.
 */
function credentials(auth: RemoteCacheConfig['auth'], write: boolean, env: NodeJS.ProcessEnv, baseDir: string): Credentials {
  if (!auth) return { account: 'anonymous', secrets: [] };
  const resolved = auth.passwordFile ? { ...auth, passwordFile: resolvePath(baseDir, auth.passwordFile) } : auth;
  try {
    return resolveCredentials('cache.remote', resolved, env, { owner: 'The remote cache (cache.remote)', authKey: 'cache.remote.auth' });
  } catch (error) {
    if (!write && error instanceof CapmediaError && error.code === 'AUTH_MISSING') return { account: 'anonymous', secrets: [] };
    throw error;
  }
}
