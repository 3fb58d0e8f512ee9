import { defineErrors } from './entry.js';

/** The remote cache (cache/remote/): its settings and what it serves. */
export const remoteCacheErrors = defineErrors({
  remoteCacheCaUnreadable: {
    code: 'CONFIG_INVALID',
    title: "The remote cache's CA bundle cannot be read",
    message: (a: { path: string; code: string }) => `The CA bundle ${a.path} (cache.remote.ca) cannot be read (${a.code}).`,
    hint: 'Point cache.remote.ca at a PEM file.',
  },
  remoteBlobSizeWrong: {
    code: 'HASH_MISMATCH',
    title: 'A remote cache blob has the wrong size',
    message: (a: { what: string; length: number; size: number }) => `${a.what} has ${a.length} bytes, not ${a.size}`,
  },
  remoteCacheWriteInvalid: {
    code: 'CONFIG_INVALID',
    title: 'CAPMEDIA_REMOTE_CACHE_WRITE is not valid',
    message: (a: { shown: string }) => `CAPMEDIA_REMOTE_CACHE_WRITE is ${a.shown}; it takes 1 or 0.`,
    hint: 'Set CAPMEDIA_REMOTE_CACHE_WRITE=1 only in jobs of protected branches; leave it unset elsewhere.',
  },
  remoteCacheUrlInvalid: {
    code: 'CONFIG_INVALID',
    title: 'The remote cache URL is not a URL',
    message: (a: { url: string }) => `The remote cache URL ${a.url} is not a URL.`,
    hint: 'cache.remote.url (or CAPMEDIA_REMOTE_CACHE) takes an http(s) URL such as https://cache.example.org/capmedia/.',
  },
  remoteCacheUrlNotHttp: {
    code: 'CONFIG_INVALID',
    title: 'The remote cache URL is not http(s)',
    message: (a: { base: string }) => `The remote cache URL ${a.base} is not http(s).`,
    hint: 'A remote cache is any web server speaking GET/HEAD/PUT (nginx with WebDAV, bazel-remote).',
  },
  remoteCacheUrlHasCredentials: {
    code: 'CONFIG_INVALID',
    title: 'The remote cache URL carries credentials',
    message: (a: { base: string }) => `The remote cache URL ${a.base} carries a user name or password.`,
    hint: 'Use cache.remote.auth: { username, passwordEnv } (or passwordFile, or tokenEnv): secrets never go in the config.',
  },
});
