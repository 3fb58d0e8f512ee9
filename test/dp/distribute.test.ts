import test from 'ava';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { ensureBootImage } from '../_helpers/bootimage.js';
import { createHttpFixture, USER, type HttpFixture } from './_fixture.js';

let f: HttpFixture;
let tarball: string;
test.before(async () => {
  f = await createHttpFixture();
  tarball = join(f.project.dir, 'bootimage.tar.gz');
  await execa('tar', ['-czf', tarball, '-C', await ensureBootImage(), '.']);
});
test.after.always(async () => f?.cleanup());

const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const davRoot = () => join(f.project.dir, 'served/dav');
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const distribute = (source: string, id: string, passwordEnv = 'DAV_PASSWORD') =>
  runCli(
    [
      'distribute',
      source,
      '--package',
      id,
      '--to',
      `${f.nginx.httpsUrl}/dav/`,
      '--ca',
      f.nginx.caFile,
      '--user',
      USER,
      '--password-env',
      passwordEnv,
    ],
    {
      cwd: f.project.dir,
      env: { DAV_PASSWORD: f.password, WRONG: 'not-the-password' },
    },
  );

test.serial('a tarball of the boot image folder published over WebDAV builds the same ISO as the file: library', async (t) => {
  const published = await distribute(tarball, 'CM200004');
  t.is(published.exitCode, 0, published.all);
  t.regex(published.stdout, /published CM200004 \(\d+ files, .*\) to https:\/\/127\.0\.0\.1:\d+\/dav\/: \d+ new, \d+ already stored/);
  t.true(await exists(join(davRoot(), 'packages/CM200004.json')));
  // Blobs first, the manifest last: a half-published package is never visible.
  const puts = (await readFile(join(f.nginx.dir, 'access.log'), 'utf8')).split('\n').filter((l) => l.includes('"PUT /dav/'));
  t.true(puts.length > 1);
  t.regex(puts.at(-1)!, /PUT \/dav\/packages\/CM200004\.json/);
  // Before "latest": the immutable copy by hash and the versions index, after every blob.
  const first = puts.findIndex((l) => l.includes('/packages/'));
  t.deepEqual(
    puts.slice(first, -1).map((l) => /PUT \/dav\/(packages\/\S+)/.exec(l)?.[1]?.replace(/[0-9a-f]{64}/, '<sha256>')),
    ['packages/CM200004/<sha256>.json', 'packages/CM200004/index.json'],
  );
  t.false(puts.slice(first).some((l) => l.includes('/files/')));

  // The media name the package they carry (SMS/data/MediaContent.json): the reference uses the same ID from a file: library.
  await f.project.publish(await ensureBootImage(), 'CM200004');
  await f.project.writeConfig({
    bootImage: { package: 'CM200004' },
    media: { type: 'iso', file: 'out/file.iso', staging: './staging' },
    cache: { dir: './cache-file' },
  });
  const reference = await runCli(['build'], { cwd: f.project.dir, env: EPOCH });
  t.is(reference.exitCode, 0, reference.all);
  await f.project.writeConfig({
    distributionPoints: [
      { name: 'webdav', url: `${f.nginx.httpsUrl}/dav/`, ca: f.nginx.caFile, auth: { username: USER, passwordEnv: 'DAV_PASSWORD' } },
    ],
    bootImage: { package: 'CM200004' },
    media: { type: 'iso', file: 'out/dav.iso', staging: './staging' },
    cache: { dir: './cache-dav' },
  });
  const built = await runCli(['build'], { cwd: f.project.dir, env: { ...EPOCH, DAV_PASSWORD: f.password } });
  t.is(built.exitCode, 0, built.all);
  t.true((await readFile(join(f.project.dir, 'out/dav.iso'))).equals(await readFile(join(f.project.dir, 'out/file.iso'))));
});

test.serial('publishing the same content again uploads nothing; the folder and the tarball give the same manifest', async (t) => {
  const again = await distribute(await ensureBootImage(), 'CM200005');
  t.is(again.exitCode, 0, again.all);
  t.regex(again.stdout, / 0 new, \d+ already stored/);
  const [a, b] = await Promise.all(
    ['CM200004', 'CM200005'].map(async (id) => JSON.parse(await readFile(join(davRoot(), `packages/${id}.json`), 'utf8'))),
  );
  t.deepEqual(a.files, b.files);
});

test.serial('a wrong password is refused as "no Write permission" and publishes nothing', async (t) => {
  const before = await readdir(join(davRoot(), 'packages'));
  const result = await distribute(tarball, 'CM200006', 'WRONG');
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /No (Read|Write) permission for svc-media on 127\.0\.0\.1:\d+/);
  t.false(result.all.includes(f.password));
  t.deepEqual(await readdir(join(davRoot(), 'packages')), before);
});

test.serial('a server that does not accept PUT is named with what to enable, and nothing hangs', async (t) => {
  const folder = join(f.project.dir, 'small-package');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'new.txt'), `content no library holds yet ${Date.now()}`);
  const started = Date.now();
  const result = await runCli(['distribute', folder, '--package', 'SMALL', '--to', `${f.nginx.url}/good/`], { cwd: f.project.dir });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /refused to write blob [0-9a-f]{12}…: .* answered 405 Method Not Allowed/);
  t.regex(result.stderr, /dav_methods PUT/);
  t.true(Date.now() - started < 20_000);
});
