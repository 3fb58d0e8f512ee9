import test from 'ava';
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { freePort, startNginx, type Nginx } from '../_helpers/nginx.js';
import { publishFolder } from '../../src/library/publish.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import { pathToFileURL } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';

/**
 * Two CI runners sharing one remote cache on a real nginx: WebDAV at /cache/,
 * PUT behind Basic auth (limit_except GET HEAD), the content library at /dp/.
 */
let project: TestProject;
let nginx: Nginx;
let cacheRoot: string;
let reference: Buffer;
const USER = 'svc-cache';
const password = `pw-${randomBytes(9).toString('base64url')}`;
const signingKey = `key-${randomBytes(16).toString('hex')}`;
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
/** Runner A: a protected-branch job that may write. */
const WRITER = { ...EPOCH, CACHE_PASSWORD: password, CACHE_SIGNING_KEY: signingKey, CAPMEDIA_REMOTE_CACHE_WRITE: '1' };
/** Runner B: a pull-request job, no write secret. */
const READER = { ...EPOCH, CACHE_SIGNING_KEY: signingKey };

test.before(async () => {
  project = await createProject();
  const served = join(project.dir, 'served');
  await cp(project.content, join(served, 'dp'), { recursive: true });
  cacheRoot = join(served, 'cache');
  await mkdir(cacheRoot, { recursive: true });
  nginx = await startNginx([
    { path: '/dp/', root: join(served, 'dp') },
    { path: '/cache/', root: cacheRoot, dav: true, basicWrites: { user: USER, password } },
  ]);
});
test.after.always(async () => {
  await nginx?.stop();
  await project?.cleanup();
});

function config(runner: string, remoteUrl = `${nginx.url}/cache/`, overrides: Record<string, any> = {}) {
  const { remote: _remote, ...rest } = overrides;
  return {
    ...rest,
    distributionPoints: [{ name: 'dp01', url: `${nginx.url}/dp/` }],
    media: Array.isArray(overrides.media)
      ? overrides.media
      : { type: 'iso', file: `out/${runner}.iso`, size: 'dvd', staging: './staging', ...overrides.media },
    cache: {
      dir: `./cache-${runner}`,
      remote: {
        url: remoteUrl,
        auth: { username: USER, passwordEnv: 'CACHE_PASSWORD' },
        signingKeyEnv: 'CACHE_SIGNING_KEY',
        ...overrides.remote,
      },
    },
  };
}

async function buildAs(runner: string, env: Record<string, string>, remoteUrl?: string, overrides?: Record<string, any>) {
  await project.writeConfig(config(runner, remoteUrl, overrides));
  const before = (await nginx.accessLog()).length;
  const result = await runCli(['build', '--json'], { cwd: project.dir, env });
  const log = (await nginx.accessLog()).slice(before);
  return { result, log, json: result.exitCode === 0 ? JSON.parse(result.stdout) : undefined };
}

const requests = (log: string, method: string, prefix: string) => log.split('\n').filter((line) => line.includes(`"${method} ${prefix}`));
/** Requests that succeeded: a retried one appears once more in the log, with its failure. */
const succeeded = (lines: string[]) => lines.filter((line) => / 20[0-9] \d+ /.test(line));
const iso = (runner: string) => readFile(join(project.dir, `out/${runner}.iso`));
const sha256Of = async (runner: string) => (await readFile(join(project.dir, `out/${runner}.iso.sha256`), 'utf8')).split(' ')[0];

test.serial('runner A writes; runner B (fresh cache, read-only) downloads the ISO instead of building it, byte for byte', async (t) => {
  const a = await buildAs('a', WRITER);
  t.is(a.result.exitCode, 0, a.result.all);
  reference = await iso('a');
  const sha = await sha256Of('a');
  t.is(succeeded(requests(a.log, 'PUT', `/cache/cas/${sha}`)).length, 1, 'A uploaded its ISO');
  t.true(requests(a.log, 'PUT', '/cache/ac/').length >= 2, 'A uploaded the stage and media records');
  t.true(a.json.cache.remote.bytesUp >= reference.length);

  const plan = await (async () => {
    await project.writeConfig(config('b'));
    return runCli(['plan'], { cwd: project.dir, env: READER });
  })();
  t.is(plan.exitCode, 0, plan.all);
  t.regex(plan.stdout, /☁ remote {2}format\/pack/);
  t.regex(plan.stdout, /☁ remote {2}stage/);

  const b = await buildAs('b', READER);
  t.is(b.result.exitCode, 0, b.result.all);
  t.deepEqual(requests(b.log, 'GET', '/dp/files/'), [], 'no DP blob was fetched');
  t.true(requests(b.log, 'HEAD', '/dp/files/').length > 0, 'verify distribution still checked the DP (R3/R4)');
  t.deepEqual(requests(b.log, 'PUT', '/'), [], 'a read-only runner writes nothing');
  t.is(succeeded(requests(b.log, 'GET', `/cache/cas/${sha} `)).length, 1, 'the ISO came from /cache/cas/<its sha256>');
  t.true((await iso('b')).equals(reference));
  t.is(b.json.cache.remote.hits, 1);
  t.true(b.json.cache.remote.bytesDown >= reference.length);
  t.is(b.json.cache.remote.bytesUp, 0);

  const stats = await runCli(['cache', 'stats'], { cwd: project.dir, env: READER });
  t.is(stats.exitCode, 0, stats.all);
  t.regex(stats.stdout, /remote cache: .*\/cache\/ \(read-only\)/);
  t.regex(stats.stdout, /1 hit\(s\)/);
  for (const run of [a.result, b.result, plan, stats]) t.false(run.all.includes(password), 'the write password is never printed');
});

test.serial('two media of one config made of the same image: one download, both outputs right', async (t) => {
  const media = ['h1', 'h2'].map((name) => ({ name, type: 'iso', file: `out/${name}.iso`, size: 'dvd', staging: './staging' }));
  const h = await buildAs('h', READER, undefined, { media });
  t.is(h.result.exitCode, 0, h.result.all);
  t.is(succeeded(requests(h.log, 'GET', `/cache/cas/${await sha256Of('a')} `)).length, 1);
  t.true((await iso('h1')).equals(reference));
  t.true((await iso('h2')).equals(reference));
  t.true((await stat(join(project.dir, 'out/h1.iso'))).mtimeMs > Date.parse('2020-01-01'), 'dated now, like a built output');
});

test.serial('over https with a custom CA (cache.remote.ca), as for distribution points', async (t) => {
  const i = await buildAs('i', READER, `${nginx.httpsUrl}/cache/`, { remote: { ca: nginx.caFile } });
  t.is(i.result.exitCode, 0, i.result.all);
  t.is(i.json.cache.remote.hits, 1);
  t.true((await iso('i')).equals(reference));
  const untrusted = await buildAs('j', READER, `${nginx.httpsUrl}/cache/`);
  t.is(untrusted.result.exitCode, 0, untrusted.result.all);
  t.true(
    untrusted.json.notices.some((n: string) => /TLS certificate is not trusted.*without the remote cache/.test(n)),
    untrusted.json.notices.join('\n'),
  );
});

test.serial('a blob tampered in the server folder is caught: a warning, never stored, and the ISO is still right', async (t) => {
  const sha = await sha256Of('a');
  const blob = join(cacheRoot, 'cas', sha);
  const good = await readFile(blob);
  const bad = Buffer.from(good);
  bad[bad.length >> 1] ^= 0xff;
  await writeFile(blob, bad);
  try {
    const c = await buildAs('c', READER);
    t.is(c.result.exitCode, 0, c.result.all);
    t.true(c.result.all.includes(`remote blob ${sha} does not match its name; ignored`), c.result.all);
    t.true((await iso('c')).equals(reference), 'built locally instead');
    const cached = await stat(join(project.dir, 'cache-c/cas', sha.slice(0, 2), sha)).catch(() => undefined);
    t.is(cached, undefined, 'the damaged copy never entered the local cache');
    t.deepEqual(requests(c.log, 'GET', '/dp/files/'), [], 'the content itself still came from the remote cache');
  } finally {
    await writeFile(blob, good);
  }
});

test.serial('a tampered signed action record is ignored', async (t) => {
  const records = await readdir(join(cacheRoot, 'ac'));
  const texts = await Promise.all(records.map(async (name) => [name, await readFile(join(cacheRoot, 'ac', name), 'utf8')] as const));
  const [name, text] = texts.find(([, body]) => JSON.parse(body).record.step === 'media')!;
  const stored = JSON.parse(text);
  // A poisoner with write access but without the key uploads their own image (a valid blob under its own hash) and points the record at it.
  const evil = randomBytes(4096);
  const other = createHash('sha256').update(evil).digest('hex');
  await writeFile(join(cacheRoot, 'cas', other), evil);
  stored.record.outputs.volumes[0] = { ...stored.record.outputs.volumes[0], sha256: other, size: evil.length };
  await writeFile(join(cacheRoot, 'ac', name), JSON.stringify(stored));
  try {
    const d = await buildAs('d', READER);
    t.is(d.result.exitCode, 0, d.result.all);
    t.true(d.result.all.includes(`remote action record ${name} is unsigned or badly signed; ignored`), d.result.all);
    t.deepEqual(requests(d.log, 'GET', `/cache/cas/${other} `), [], 'the poisoned target was never fetched');
    t.true((await iso('d')).equals(reference));
  } finally {
    await writeFile(join(cacheRoot, 'ac', name), text);
  }
});

test.serial('an unreachable cache URL (here from CAPMEDIA_REMOTE_CACHE) only warns, once, and the build goes on locally', async (t) => {
  const port = await freePort();
  const e = await buildAs('e', { ...READER, CAPMEDIA_REMOTE_CACHE: `http://127.0.0.1:${port}/cache/` });
  t.is(e.result.exitCode, 0, e.result.all);
  const warnings = e.json.notices.filter((n: string) => n.includes('without the remote cache'));
  t.is(warnings.length, 1, e.json.notices.join('\n'));
  t.regex(warnings[0], /unreachable/);
  t.true(e.json.cache.remote.unreachable);
  t.true((await iso('e')).equals(reference));
});

test.serial('a remote that accepts connections but never answers (slow) warns once after its stall timeout', async (t) => {
  const silent = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  try {
    const started = Date.now();
    const k = await buildAs('k', READER, `http://127.0.0.1:${port}/cache/`, { remote: { timeouts: { stall: 1 } } });
    t.is(k.result.exitCode, 0, k.result.all);
    const warnings = k.json.notices.filter((n: string) => n.includes('without the remote cache'));
    t.is(warnings.length, 1, k.json.notices.join('\n'));
    t.regex(warnings[0], /did not answer .* within 1 s/);
    t.true((await iso('k')).equals(reference));
    t.true(Date.now() - started < 60_000, 'one stall, not one per request');
  } finally {
    silent.close();
  }
});

test.serial('an upload the server refuses is a warning, never a failed build', async (t) => {
  const f = await buildAs('f', { ...WRITER, CACHE_PASSWORD: 'wrong' }, undefined, { media: { label: 'Refused Upload' } });
  t.is(f.result.exitCode, 0, f.result.all);
  t.true(
    f.json.notices.some((n: string) => /an upload to the remote cache failed .*401.*the build is not affected/.test(n)),
    f.json.notices.join('\n'),
  );
  t.true(requests(f.log, 'PUT', '/cache/').every((line) => line.includes('" 401 ')));
  t.false(f.result.all.includes('wrong'));
});

test.serial('an embedded password keeps the media and the task sequence local-only, and says so', async (t) => {
  const g = await buildAs('g', { ...WRITER, CAPTURE_PASSWORD: 'capture-secret-42' }, undefined, {
    taskSequence: {
      name: 'Capture with credentials',
      image: { name: 'Reference' },
      destination: 'https://dp01.example.org/captures/',
      credentials: { username: 'svc-capture', passwordEnv: 'CAPTURE_PASSWORD', embed: true },
    },
  });
  t.is(g.result.exitCode, 0, g.result.all);
  t.true(g.json.notices.some((n: string) => /embeds a password .*local-only/.test(n)));
  const sha = (await readFile(join(project.dir, 'out/g.iso.sha256'), 'utf8')).split(' ')[0];
  t.deepEqual(requests(g.log, 'PUT', `/cache/cas/${sha}`), [], 'the ISO was not uploaded');
  t.deepEqual(requests(g.log, 'PUT', '/cache/ac/'), [], 'no record (their pre-images carry the task sequence)');
  for (const name of await readdir(join(cacheRoot, 'cas'))) {
    t.is((await readFile(join(cacheRoot, 'cas', name))).indexOf('capture-secret-42'), -1, `the password is in cas/${name}`);
  }
});

test.serial('an ISO set and a USB image come down from the remote as well, with their set manifest, byte for byte', async (t) => {
  const folder = join(project.dir, 'pkg-set');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(join(folder, `part-${i}.bin`), randomBytes(12 * 2 ** 20));
  await publishFolder(
    folder,
    { id: 'CM300001' },
    openDistributionPoint({ name: 'dp', url: pathToFileURL(join(project.dir, 'served/dp')).href }),
  );
  const media = (runner: string) => [
    { name: 'set', type: 'iso', file: `out/${runner}-set.iso`, size: '64MB', label: 'Capture Set', staging: './staging' },
    { name: 'stick', type: 'usb', device: `out/${runner}-stick.img`, label: 'Capture', staging: './staging' },
  ];
  const w = await buildAs('w', WRITER, undefined, { content: ['CM300001'], media: media('w') });
  t.is(w.result.exitCode, 0, w.result.all);
  const r = await buildAs('r', READER, undefined, { content: ['CM300001'], media: media('r') });
  t.is(r.result.exitCode, 0, r.result.all);
  t.is(r.json.cache.remote.hits, 2, 'both media');
  t.deepEqual(requests(r.log, 'GET', '/dp/files/'), []);
  const out = (name: string) => readFile(join(project.dir, 'out', name));
  const volumes = (await readdir(join(project.dir, 'out'))).filter((n) => /^w-set-\d+\.iso$/.test(n));
  t.true(volumes.length >= 2, volumes.join());
  for (const volume of volumes) t.true((await out(volume.replace('w-', 'r-'))).equals(await out(volume)), volume);
  t.true((await out('r-stick.img')).equals(await out('w-stick.img')));
  t.is(await readFile(join(project.dir, 'out/r-set.set.json'), 'utf8'), await readFile(join(project.dir, 'out/w-set.set.json'), 'utf8'));
  const verify = await runCli(['verify', join(project.dir, 'out/r-set-1.iso')], { cwd: project.dir, env: READER });
  t.is(verify.exitCode, 0, verify.all);
});
