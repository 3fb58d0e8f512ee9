import test from 'ava';
import { remoteCacheSettings } from '../../src/cache/remote/settings.js';
import { sign, verify } from '../../src/cache/remote/signing.js';
import { isMediaOutputs, isStageOutputs } from '../../src/cache/remote/shapes.js';
import type { NormalizedConfig } from '../../src/config/normalize.js';

const config = (remote?: Record<string, unknown>) =>
  ({ baseDir: '/project', cache: remote ? { remote } : undefined }) as unknown as NormalizedConfig;
const SHA = 'a'.repeat(64);

test('no cache.remote and no CAPMEDIA_REMOTE_CACHE: no remote cache', (t) => {
  t.is(remoteCacheSettings(config(), {}), undefined);
});

test('CAPMEDIA_REMOTE_CACHE and CAPMEDIA_REMOTE_CACHE_WRITE override the config', (t) => {
  const settings = remoteCacheSettings(config({ url: 'https://a.example/c', write: false }), {
    CAPMEDIA_REMOTE_CACHE: 'https://b.example/cache',
    CAPMEDIA_REMOTE_CACHE_WRITE: '1',
  })!;
  t.is(settings.base.href, 'https://b.example/cache/');
  t.true(settings.write);
  t.false(remoteCacheSettings(config({ url: 'https://a.example/c', write: true }), { CAPMEDIA_REMOTE_CACHE_WRITE: '0' })!.write);
  t.false(remoteCacheSettings(config(), { CAPMEDIA_REMOTE_CACHE: 'http://c.example/' })!.write, 'reading is the default');
  t.throws(() => remoteCacheSettings(config(), { CAPMEDIA_REMOTE_CACHE: 'http://c.example/', CAPMEDIA_REMOTE_CACHE_WRITE: 'maybe' }), {
    message: /CAPMEDIA_REMOTE_CACHE_WRITE is "maybe"/,
  });
});

test('a URL with credentials, or not http(s), is refused without echoing the secret', (t) => {
  const error = t.throws(() => remoteCacheSettings(config({ url: 'https://u:s3cret@a.example/' }), {}))!;
  t.false(error.message.includes('s3cret'));
  t.throws(() => remoteCacheSettings(config(), { CAPMEDIA_REMOTE_CACHE: 'ftp://a.example/' }), { message: /not http\(s\)/ });
});

test('a writer needs its secret; a reader without it reads anonymously', (t) => {
  const auth = { username: 'ci', passwordEnv: 'CACHE_PW' };
  t.is(remoteCacheSettings(config({ url: 'https://a.example/', auth }), {})!.credentials.account, 'anonymous');
  const error = t.throws(() => remoteCacheSettings(config({ url: 'https://a.example/', auth, write: true }), {}))!;
  t.regex(error.message, /The remote cache \(cache\.remote\) takes its secret from the environment variable CACHE_PW/);
  const header = remoteCacheSettings(config({ url: 'https://a.example/', auth, write: true }), { CACHE_PW: 'pw' })!.credentials.header;
  t.is(header, `Basic ${Buffer.from('ci:pw').toString('base64')}`);
});

test('signingKeyEnv: the key from the environment, or a note that it is missing', (t) => {
  const remote = { url: 'https://a.example/', signingKeyEnv: 'CACHE_KEY' };
  t.deepEqual(remoteCacheSettings(config(remote), { CACHE_KEY: 'k' })!.signingKey, Buffer.from('k'));
  t.is(remoteCacheSettings(config(remote), {})!.signingKeyMissing, 'CACHE_KEY');
});

test('signed records verify only with the same key and unchanged content', (t) => {
  const key = Buffer.from('one key');
  const record = { key: SHA, outputs: { files: [] } };
  const stored = sign(record, key);
  t.deepEqual(verify(stored, key), record);
  t.is(verify(stored, Buffer.from('another key')), undefined);
  t.is(verify({ ...stored, record: { ...record, outputs: { files: [{}] } } }, key), undefined);
  t.is(verify({ record }, key), undefined, 'unsigned');
  t.deepEqual(verify({ record }, undefined), record, 'without a key nothing is checked');
});

test('remote records must have the expected shape and safe paths', (t) => {
  const entry = { target: 'boot/vmlinuz', sha256: SHA, size: 1, packageId: 'CM1' };
  t.true(isStageOutputs({ files: [entry] }));
  t.false(isStageOutputs({ files: [{ ...entry, target: '../../etc/passwd' }] }));
  t.false(isStageOutputs({ files: [{ ...entry, target: '/etc/passwd' }] }));
  t.false(isStageOutputs({ files: [{ ...entry, sha256: 'nope' }] }));
  t.false(isStageOutputs({}));
  const volume = { sha256: SHA, size: 2048, label: 'L', files: [entry] };
  t.true(isMediaOutputs({ volumes: [volume] }));
  t.false(isMediaOutputs({ volumes: [volume, volume] }), 'a set needs its set manifest');
  t.true(isMediaOutputs({ volumes: [volume, volume], setManifest: '{}' }));
  t.false(isMediaOutputs({ volumes: [] }));
  t.false(isMediaOutputs({ volumes: [{ ...volume, size: -1 }] }));
});
