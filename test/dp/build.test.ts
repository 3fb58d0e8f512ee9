import test from 'ava';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createHttpFixture, USER, type HttpFixture } from './_fixture.js';

let f: HttpFixture;
let reference: Buffer;
test.before(async () => {
  f = await createHttpFixture();
  await f.project.writeConfig({ media: { type: 'iso', file: 'out/file.iso', staging: './staging' }, cache: { dir: './cache-file' } });
  const result = await runCli(['build'], { cwd: f.project.dir, env: EPOCH });
  if (result.exitCode !== 0) throw new Error(`the reference build from the file: DP failed:\n${result.all}`);
  reference = await readFile(join(f.project.dir, 'out/file.iso'));
});
test.after.always(async () => f?.cleanup());

const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const secure = () => ({
  name: 'dp01',
  url: `${f.nginx.httpsUrl}/secure/`,
  ca: f.nginx.caFile,
  auth: { username: USER, passwordEnv: 'DP01_PASSWORD' },
});
const media = (file: string) => ({ type: 'iso', file, staging: './staging' });

/** Every form a secret could leak in: as is, inside a Basic header, URL-encoded. */
function secretForms(): string[] {
  return [f.password, Buffer.from(`${USER}:${f.password}`).toString('base64'), encodeURIComponent(f.password), f.token];
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test.serial('a build from an https DP with Basic auth gives the same ISO bytes as from the equivalent file: DP', async (t) => {
  await f.project.writeConfig({ distributionPoints: [secure()], media: media('out/https.iso'), cache: { dir: './cache-https' } });
  const result = await runCli(['build'], { cwd: f.project.dir, env: { ...EPOCH, DP01_PASSWORD: f.password } });
  t.is(result.exitCode, 0, result.all);
  t.true((await readFile(join(f.project.dir, 'out/https.iso'))).equals(reference));
});

test.serial(
  'credentials set in the environment appear nowhere: not in failing --verbose or --json runs, the cache, or on the media',
  async (t) => {
    const env = { ...EPOCH, DP01_PASSWORD: f.password, DP01_TOKEN: f.token };
    const runs = [];
    // Authenticated requests succeed, then the build fails: a package no DP has.
    await f.project.writeConfig({
      distributionPoints: [secure(), { name: 'dp02', url: `${f.nginx.url}/token/`, auth: { tokenEnv: 'DP01_TOKEN' } }],
      content: ['CM404404'],
      media: media('out/leak.iso'),
      cache: { dir: './cache-leak' },
    });
    runs.push(await runCli(['build', '--verbose'], { cwd: f.project.dir, env }));
    runs.push(await runCli(['build', '--json'], { cwd: f.project.dir, env }));
    // The server refuses the credentials.
    await f.project.writeConfig({
      distributionPoints: [{ ...secure(), auth: { username: USER, passwordEnv: 'DP01_TOKEN' } }],
      media: media('out/leak.iso'),
      cache: { dir: './cache-leak' },
    });
    runs.push(await runCli(['build', '--verbose'], { cwd: f.project.dir, env }));
    for (const run of runs) {
      t.is(run.exitCode, 1, run.all);
      for (const secret of secretForms()) t.false(run.all.includes(secret), `a secret leaked into:\n${run.all}`);
    }
    t.regex(runs[2].stderr, /no Read permission for svc-media on dp01/i);
    // A successful build: nothing secret on the media, its records or in the cache.
    await f.project.writeConfig({ distributionPoints: [secure()], media: media('out/clean.iso'), cache: { dir: './cache-leak' } });
    const good = await runCli(['build', '--verbose'], { cwd: f.project.dir, env });
    t.is(good.exitCode, 0, good.all);
    const written = [...(await filesUnder(join(f.project.dir, 'out'))), ...(await filesUnder(join(f.project.dir, 'cache-leak')))];
    t.true(written.some((p) => p.endsWith('clean.iso')));
    for (const path of written) {
      const bytes = await readFile(path);
      for (const secret of secretForms()) t.is(bytes.indexOf(secret), -1, `${secret} found in ${path}`);
    }
  },
);

test.serial('a corrupted blob is never staged: alone, the DP fails the build and the cache holds nothing of it', async (t) => {
  await f.project.writeConfig({
    distributionPoints: [{ name: 'damaged', url: `${f.nginx.url}/corrupt/` }],
    media: media('out/corrupt.iso'),
    cache: { dir: './cache-corrupt' },
  });
  const result = await runCli(['build'], { cwd: f.project.dir, env: EPOCH });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /No distribution point delivered a correct copy of boot\/vmlinuz[\s\S]*damaged: .*is corrupt/);
  const folder = join(f.project.dir, 'cache-corrupt/cas', f.victim.sha256.slice(0, 2));
  const left = await readdir(folder).catch(() => []);
  t.deepEqual(
    left.filter((n) => n.startsWith(f.victim.sha256)),
    [],
    'neither the blob nor a partial of it',
  );
  t.false(
    await stat(join(f.project.dir, 'out/corrupt.iso')).then(
      () => true,
      () => false,
    ),
  );
});

test.serial('with a second DP holding a good copy, the build falls back to it and the ISO is the same', async (t) => {
  await f.project.writeConfig({
    distributionPoints: [
      { name: 'damaged', url: `${f.nginx.url}/corrupt/` },
      { name: 'good', url: `${f.nginx.url}/good/` },
    ],
    media: media('out/fallback.iso'),
    cache: { dir: './cache-fallback' },
  });
  const result = await runCli(['build'], { cwd: f.project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  t.true((await readFile(join(f.project.dir, 'out/fallback.iso'))).equals(reference));
});
