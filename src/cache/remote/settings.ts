import { CapmediaError } from '../../errors/index.js';
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
  throw new CapmediaError('CONFIG_INVALID', `CAPMEDIA_REMOTE_CACHE_WRITE is ${JSON.stringify(value)}; it takes 1 or 0.`, {
    hint: 'Set CAPMEDIA_REMOTE_CACHE_WRITE=1 only in jobs of protected branches; leave it unset elsewhere.',
  });
}

function parseBase(url: string): URL {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new CapmediaError('CONFIG_INVALID', `The remote cache URL ${JSON.stringify(url)} is not a URL.`, {
      hint: 'cache.remote.url (or CAPMEDIA_REMOTE_CACHE) takes an http(s) URL such as https://cache.example.org/capmedia/.',
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new CapmediaError('CONFIG_INVALID', `The remote cache URL ${displayUrl(base)} is not http(s).`, {
      hint: 'A remote cache is any web server speaking GET/HEAD/PUT (nginx with WebDAV, bazel-remote).',
    });
  if (base.username || base.password)
    throw new CapmediaError('CONFIG_INVALID', `The remote cache URL ${displayUrl(base)} carries a user name or password.`, {
      hint: 'Use cache.remote.auth: { username, passwordEnv } (or passwordFile, or tokenEnv): secrets never go in the config.',
    });
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
    return resolveCredentials('cache.remote', resolved, env);
  } catch (error) {
    if (!write && error instanceof CapmediaError && error.code === 'AUTH_MISSING') return { account: 'anonymous', secrets: [] };
    if (error instanceof CapmediaError)
      throw new CapmediaError(error.code, error.message.replace(/^Distribution point cache\.remote/, 'The remote cache (cache.remote)'), {
        hint: error.hint?.replace(/auth\./g, 'cache.remote.auth.'),
      });
    throw error;
  }
}
