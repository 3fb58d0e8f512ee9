import test from 'ava';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, runCli } from '../_helpers/cli.js';
import { baseConfig, createProject, publishLargePackage, type TestProject } from '../_helpers/project.js';
import { startCli } from './_spawn.js';

/**
 * The data-loss findings of the independent review: each was reproduced on
 * the code before the fix (a user's file deleted or replaced, exit 0).
 */
let project: TestProject;

test.before(async () => {
  project = await createProject();
  // Enough content that format/pack takes seconds: time to run `clean` beside a running build.
  await publishLargePackage(project, 'CM300001', 8);
});
test.after.always(async () => project?.cleanup());

/** A folder of its own under the project, with a JSON config named `file` and a shared cache. */
async function configAt(name: string, overrides: Record<string, unknown> = {}, file = 'capmedia.config.json'): Promise<string> {
  const dir = join(project.dir, name);
  await mkdir(join(dir, 'out'), { recursive: true });
  const config = {
    ...baseConfig(),
    distributionPoints: [{ name: 'local', url: `file:${project.content}` }],
    cache: { dir: join(project.dir, 'cache') },
    ...overrides,
  };
  await writeFile(join(dir, file), JSON.stringify(config, null, 2));
  return dir;
}

const iso = (extra: Record<string, unknown> = {}) => ({ type: 'iso', file: 'out/capture.iso', staging: './staging', ...extra });

test.serial('A1. clean removes only what capmedia wrote in the cache folder, never the files beside it', async (t) => {
  const dir = await configAt('a1', { cache: { dir: '../shared' }, media: iso() });
  const shared = join(project.dir, 'shared');
  await mkdir(shared, { recursive: true });
  await writeFile(join(shared, 'notes.txt'), 'mine');
  await mkdir(join(shared, 'photos'));
  await writeFile(join(shared, 'photos', 'a.jpg'), 'jpeg');
  const built = await runCli(['build'], { cwd: dir });
  t.is(built.exitCode, 0, built.all);
  t.true((await readdir(shared)).includes('cas'));
  const cleaned = await runCli(['clean', '--json'], { cwd: dir });
  t.is(cleaned.exitCode, 0, cleaned.all);
  t.deepEqual((await readdir(shared)).sort(), ['notes.txt', 'photos']);
  t.is(await readFile(join(shared, 'photos', 'a.jpg'), 'utf8'), 'jpeg');
});

test.serial("A1. clean from another config sharing media.staging keeps a running build's staging folder", async (t) => {
  const staging = join(project.dir, 'shared-staging');
  await mkdir(staging, { recursive: true });
  const a = await configAt('a1-site-a', { content: ['CM300001'], media: iso({ staging }) });
  const b = await configAt('a1-site-b', { cache: { dir: join(project.dir, 'a1-cache-b') }, media: iso({ staging }) });
  // A crashed build's folder: no live owner, so it is stale.
  await mkdir(join(staging, 'capmedia-old-0123456789ab', 'tree'), { recursive: true });
  const running = startCli(['build'], a);
  let ours: string | undefined;
  while (running.child.exitCode === null && !ours) {
    const names = (await readdir(staging)).filter((n) => n.startsWith('capmedia-default-'));
    // Its tree is being laid out: the build is in format/pack, using the folder.
    for (const name of names) if ((await readdir(join(staging, name)).catch(() => [] as string[])).includes('tree')) ours = name;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!ours) return t.fail(`the build never laid out its tree:\n${running.output()}`);
  // Paused, not ended: `clean` must see a live build whatever the machine's speed.
  running.child.kill('SIGSTOP');
  let cleaned;
  try {
    cleaned = await runCli(['clean', '--json'], { cwd: b });
  } finally {
    running.child.kill('SIGCONT');
  }
  t.is(cleaned.exitCode, 0, cleaned.all);
  const left = await readdir(staging);
  t.true(left.includes(ours), `the running build's staging was removed: ${cleaned.all}`);
  t.false(left.includes('capmedia-old-0123456789ab'));
  t.regex(cleaned.stdout, /"kept"/);
  const done = await running.child;
  t.is(done.exitCode, 0, running.output());
});

test.serial('A2. an output on the lock, or on a password or CA file the config names, is refused (exit 2) and the file kept', async (t) => {
  const cases: Array<{ name: string; file: string; overrides: Record<string, unknown>; message: RegExp }> = [
    { name: 'lock', file: 'capmedia.lock', overrides: {}, message: /which would overwrite the lock file/ },
    {
      name: 'remote-password',
      file: 'remote.secret',
      overrides: {
        cache: {
          dir: join(project.dir, 'cache'),
          remote: { url: 'http://127.0.0.1:9/', auth: { username: 'ci', passwordFile: 'remote.secret' } },
        },
      },
      message: /cache\.remote\.auth\.passwordFile/,
    },
    {
      name: 'remote-ca',
      file: 'ca.pem',
      overrides: { cache: { dir: join(project.dir, 'cache'), remote: { url: 'https://127.0.0.1:9/', ca: 'ca.pem' } } },
      message: /cache\.remote\.ca/,
    },
    {
      name: 'credentials',
      file: 'capture.secret',
      overrides: {
        taskSequence: {
          ...baseConfig().taskSequence,
          destination: 'https://share.example.org/captures',
          credentials: { username: 'capture', passwordFile: 'capture.secret', embed: true },
        },
      },
      message: /taskSequence\.credentials\.passwordFile/,
    },
  ];
  for (const c of cases) {
    const dir = await configAt(`a2-${c.name}`, { ...c.overrides, media: iso({ file: c.file }) });
    await writeFile(join(dir, c.file), 'precious\n');
    const result = await runCli(['build'], { cwd: dir });
    t.is(result.exitCode, 2, `${c.name}: ${result.all}`);
    t.regex(result.all, c.message, c.name);
    t.is(await readFile(join(dir, c.file), 'utf8'), 'precious\n', c.name);
  }
});

test.serial("A3. a netboot folder holding the user's files is refused before any work (exit 2), and the files kept", async (t) => {
  const dir = join(project.dir, 'a3');
  await mkdir(join(dir, 'serve'), { recursive: true });
  await writeFile(join(dir, 'serve', 'index.html'), 'my site');
  const plugin = pathToFileURL(join(REPO, 'examples/plugins/netboot/index.ts')).href;
  const config = {
    ...baseConfig(),
    distributionPoints: [{ name: 'local', url: `file:${project.content}` }],
    cache: { dir: join(project.dir, 'cache') },
    media: { type: 'netboot', dir: 'serve', staging: './staging' },
  };
  await writeFile(
    join(dir, 'capmedia.config.ts'),
    `import { defineConfig } from 'capmedia';\nimport { netboot } from ${JSON.stringify(plugin)};\nexport default defineConfig({ ...${JSON.stringify(config)}, plugins: [netboot()] });\n`,
  );
  const refused = await runCli(['build'], { cwd: dir });
  t.is(refused.exitCode, 2, refused.all);
  t.regex(refused.all, /media\.dir of media "default" is .*serve, which holds files capmedia did not write \(index\.html/);
  t.deepEqual(await readdir(join(dir, 'serve')), ['index.html']);
  t.false(refused.all.includes('format/pack ['), 'refused before any work');
  // An empty folder is the user's choice of place: built, and rebuilt over its own output.
  await rm(join(dir, 'serve', 'index.html'));
  t.is((await runCli(['build'], { cwd: dir })).exitCode, 0);
  t.true((await readdir(join(dir, 'serve'))).includes('capmedia-media.cpio'));
  await writeFile(
    join(dir, 'capmedia.config.ts'),
    (await readFile(join(dir, 'capmedia.config.ts'), 'utf8')).replace('"Configuration Manager"', '"Rebuilt"'),
  );
  const rebuilt = await runCli(['build'], { cwd: dir });
  t.is(rebuilt.exitCode, 0, rebuilt.all);
});

test.serial("A3. bootimage create --out a folder of the user's is refused before any work (exit 2), and the files kept", async (t) => {
  const out = join(project.dir, 'a3-bootimage');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'thesis.tex'), 'years of work');
  const result = await runCli(['bootimage', 'create', '--out', out, '--cache-dir', join(project.dir, 'cache')], { cwd: project.dir });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.all, /--out\) is .*a3-bootimage, which holds files capmedia did not write \(thesis\.tex; no capmedia-package\.json\)/);
  t.deepEqual(await readdir(out), ['thesis.tex']);
});

test.serial("A4. two configs in one folder each keep their own lock: building site-b leaves site-a's pins alone", async (t) => {
  const dir = await configAt('a4', { content: ['CM300001'], media: iso({ file: 'out/a.iso' }) }, 'site-a.config.json');
  await configAt('a4', { media: iso({ file: 'out/b.iso' }) }, 'site-b.config.json');
  const a = await runCli(['build', '--config', 'site-a.config.json'], { cwd: dir });
  t.is(a.exitCode, 0, a.all);
  const pinsA = await readFile(join(dir, 'site-a.lock'), 'utf8');
  t.regex(pinsA, /CM300001/);
  const b = await runCli(['build', '--config', 'site-b.config.json'], { cwd: dir });
  t.is(b.exitCode, 0, b.all);
  t.is(await readFile(join(dir, 'site-a.lock'), 'utf8'), pinsA);
  t.notRegex(await readFile(join(dir, 'site-b.lock'), 'utf8'), /CM300001/);
  t.false((await readdir(dir)).includes('capmedia.lock'));
  const again = await runCli(['build', '--locked', '--config', 'site-a.config.json'], { cwd: dir });
  t.is(again.exitCode, 0, again.all);
});

test.serial('C3. an ISO out/capture.iso and a USB image out/capture.img in one config build side by side', async (t) => {
  const dir = await configAt('c3', {
    media: [iso({ name: 'dvd' }), { name: 'stick', type: 'usb', device: 'out/capture.img', staging: './staging' }],
  });
  const result = await runCli(['build'], { cwd: dir });
  t.is(result.exitCode, 0, result.all);
  t.true((await readdir(join(dir, 'out'))).includes('capture.img'));
});

test.serial(
  'C5. a partial left by kill -9 is removed by the next build, even an up-to-date one; other outputs’ partials stay',
  async (t) => {
    const dir = await configAt('c5', { media: iso() });
    t.is((await runCli(['build'], { cwd: dir })).exitCode, 0);
    const stale = ['.capture.iso.0badc0de.capmedia-partial', '.capture-2.iso.1badc0de.capmedia-partial'];
    const other = '.capture2.iso.2badc0de.capmedia-partial';
    // capture-3.iso as another config's output, being written under its live lock (this test's process holds it).
    const held = '.capture-3.iso.3badc0de.capmedia-partial';
    await writeFile(join(dir, 'out', '.capture-3.iso.capmedia-lock'), `${process.pid}\n`);
    for (const name of [...stale, other, held]) await writeFile(join(dir, 'out', name), 'half an image');
    const result = await runCli(['build', '--json'], { cwd: dir });
    t.is(result.exitCode, 0, result.all);
    t.regex(result.stdout, /"upToDate": ?true/);
    const left = await readdir(join(dir, 'out'));
    for (const name of stale) t.false(left.includes(name), name);
    t.true(left.includes(other));
    t.true(left.includes(held));
  },
);
