import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, publishLargePackage, type TestProject } from '../_helpers/project.js';
import { leftovers } from './_harness.js';
import { startCli, type Running } from './_spawn.js';

/**
 * The seven findings of the bad-input campaign (issue 11), each as it was
 * reproduced, plus disk full. Each failed on the code before the fix.
 */
let project: TestProject;
const isRoot = process.getuid?.() === 0;
const inCi = process.env.CI === 'true';

test.before(async () => {
  project = await createProject();
  // Enough content that format/pack takes seconds: time to interrupt it, or to start a second build during it.
  await publishLargePackage(project, 'CM300001', 8);
  await configAt('fixture');
  const built = await runCli(['build'], { cwd: at('fixture') });
  if (built.exitCode !== 0) throw new Error(built.all);
});
test.after.always(async () => project?.cleanup());

/** Each test works in a folder of its own, sharing the library (and, read-only, the boot image). */
async function configAt(name: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const dir = join(project.dir, name);
  await mkdir(join(dir, 'out'), { recursive: true });
  const { baseConfig } = await import('../_helpers/config.js');
  const config = {
    ...baseConfig(),
    distributionPoints: [{ name: 'local', url: `file:${project.content}` }],
    cache: { dir: join(project.dir, 'cache') },
    ...overrides,
  };
  await writeFile(join(dir, 'capmedia.config.json'), JSON.stringify(config, null, 2));
}
const at = (name: string) => join(project.dir, name);

/** Resolves once xorriso is writing the image (its partial file exists): the moment that matters. */
async function partialAppears(folder: string, build: Running): Promise<void> {
  while (build.child.exitCode === null) {
    if ((await readdir(folder)).some((name) => name.endsWith('.capmedia-partial'))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the build ended before writing its image:\n${build.output()}`);
}
const iso = (extra: Record<string, unknown>) => ({ media: { type: 'iso', file: 'out/capture.iso', staging: './staging', ...extra } });

test('1. an output that is the config file, or inside a file: library, is refused before any work (exit 2, naming both)', async (t) => {
  await configAt('f1', iso({ file: 'capmedia.config.json' }));
  const before = await readFile(join(at('f1'), 'capmedia.config.json'));
  const first = await runCli(['build'], { cwd: at('f1') });
  t.is(first.exitCode, 2, first.all);
  t.regex(first.stderr, /media\.file of media "default" is .*f1\/capmedia\.config\.json, which would overwrite the config file/);
  t.true((await readFile(join(at('f1'), 'capmedia.config.json'))).equals(before), 'the config was overwritten');

  const library = join(at('f1'), 'lib');
  await execa('cp', ['-r', project.content, library]);
  await configAt('f1', { distributionPoints: [{ name: 'lib', url: 'file:./lib' }], ...iso({ file: 'lib/files/capture.iso' }) });
  const second = await runCli(['build'], { cwd: at('f1') });
  t.is(second.exitCode, 2, second.all);
  t.regex(second.stderr, /lib\/files\/capture\.iso, which would be written inside distribution point "lib" \(.*f1\/lib\)/);
  await t.throwsAsync(stat(join(library, 'files/capture.iso')));
});

test('1. outputs are compared as real paths: without case on a case-insensitive file system (NTFS, ignore_case)', async (t) => {
  if (!isRoot) {
    if (inCi) t.fail('CI runs as root: FUSE mounts must work');
    else t.log('skipped: mounting needs root');
    return;
  }
  const image = join(project.dir, 'ci.img');
  const mount = join(project.dir, 'ci-mount');
  await mkdir(mount, { recursive: true });
  await execa('truncate', ['-s', '16M', image]);
  await execa('mkntfs', ['-q', '-F', '-f', image]);
  await execa('lowntfs-3g', ['-o', 'ignore_case', image, mount]);
  try {
    const config = {
      ...JSON.parse(await readFile(join(at('fixture'), 'capmedia.config.json'), 'utf8')),
      ...iso({ file: 'CAPMEDIA.CONFIG.JSON', staging: join(project.dir, 'staging') }),
    };
    await writeFile(join(mount, 'capmedia.config.json'), JSON.stringify(config));
    const result = await runCli(['build'], { cwd: mount });
    t.is(result.exitCode, 2, result.all);
    t.regex(result.stderr, /CAPMEDIA\.CONFIG\.JSON.*which would overwrite the config file/);
    t.deepEqual(JSON.parse(await readFile(join(mount, 'capmedia.config.json'), 'utf8')), config);
  } finally {
    await execa('umount', [mount]);
  }
});

test('2. staging in /proc is refused at once (it used to spin forever in format/pack)', async (t) => {
  await configAt('f2', iso({ staging: '/proc/capmedia-x' }));
  const result = await runCli(['build'], { cwd: at('f2'), timeoutMs: 30_000 });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.stderr, /media\.staging of media "default" is \/proc\/capmedia-x, which cannot be used: it is on proc/);
});

test('3. a password in a URL is never printed: config errors, unreachable servers, --json, --verbose, distribute, cache records', async (t) => {
  const secret = `S3cret-${randomBytes(6).toString('hex')}`;
  const runs = [];
  await configAt('f3', { taskSequence: { image: { name: 'R' }, destination: `https://svc:${secret}@dav.example.org/x` } });
  for (const flags of [[], ['--json'], ['--verbose']]) runs.push(await runCli(['build', ...flags], { cwd: at('f3') }));
  await configAt('f3', { distributionPoints: [{ name: 'h', url: `http://127.0.0.1:9/lib/?token=${secret}` }] });
  for (const flags of [[], ['--json'], ['--verbose']]) runs.push(await runCli(['build', ...flags], { cwd: at('f3') }));
  runs.push(await runCli(['plan', '--json'], { cwd: at('f3') }));
  await mkdir(join(at('f3'), 'pkg'), { recursive: true });
  await writeFile(join(at('f3'), 'pkg/a.txt'), 'a');
  runs.push(await runCli(['distribute', 'pkg', '--package', 'CM1', '--to', `http://svc:${secret}@127.0.0.1:9/dav/`], { cwd: at('f3') }));
  runs.push(
    await runCli(['distribute', 'pkg', '--package', 'CM1', '--to', `http://127.0.0.1:9/dav/?sig=${secret}`, '--json'], { cwd: at('f3') }),
  );
  t.deepEqual(
    runs.map((r) => r.exitCode === 0),
    runs.map(() => false),
    'every run fails',
  );
  for (const run of runs) t.false(run.all.includes(secret), run.all);
  t.regex(runs[0].stderr, /https:\/\/svc:\*\*\*@dav\.example\.org\/x/);
  const records = await execa('grep', ['-r', '-l', secret, join(project.dir, 'cache')], { reject: false });
  t.is(records.stdout, '', 'a cache record holds the secret');
});

test('4. config errors name the config file and their cause; a media.file below a regular file fails before any work', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'capmedia.config.ts',
      "export default () => Promise.reject(new Error('x'))",
      /capmedia\.config\.ts could not be loaded: the config function rejected: x/,
    ],
    [
      'capmedia.config.ts',
      'export default null',
      /capmedia\.config\.ts could not be loaded: its default export is null, not a config object/,
    ],
    [
      'capmedia.config.ts',
      'export const config = { media: {} }',
      /capmedia\.config\.ts could not be loaded: it has no default export \(it exports "config"\)/,
    ],
  ];
  for (const [name, text, message] of cases) {
    const dir = await mkdtemp(join(tmpdir(), 'capmedia-f4-'));
    await writeFile(join(dir, name), text);
    const result = await runCli(['build'], { cwd: dir });
    t.is(result.exitCode, 2, result.all);
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /Cannot read properties/);
    await rm(dir, { recursive: true, force: true });
  }
  await configAt('f4', iso({ file: 'capmedia.config.json/x.iso', staging: './staging' }));
  const result = await runCli(['build'], { cwd: at('f4') });
  t.is(result.exitCode, 2, result.all);
  t.regex(
    result.stderr,
    /media\.file of media "default" is .*capmedia\.config\.json\/x\.iso, which cannot be used: .*capmedia\.config\.json, a part of its path, is a file/,
  );
  t.notRegex(result.all, /EEXIST|ENOTDIR|format\/pack/);
  t.deepEqual(await readdir(join(at('f4'), 'staging')).catch(() => []), [], 'work started');
});

test('5. verify on a truncated ISO says how many bytes it has and how many the image says', async (t) => {
  const cut = join(at('fixture'), 'out/cut.iso');
  await copyFile(join(at('fixture'), 'out/capture.iso'), cut);
  const full = (await stat(cut)).size;
  await truncate(cut, 4 * 2 ** 20);
  const result = await runCli(['verify', 'out/cut.iso'], { cwd: at('fixture') });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, new RegExp(`out/cut\\.iso is truncated: ${4 * 2 ** 20} bytes, the image says ${full}`));
  t.notRegex(result.all, /abort_on|xorriso/);
});

test.serial('6. two Ctrl-C during format/pack leave no partial file, and the old output intact', async (t) => {
  await configAt('f6', { content: ['CM300001'], ...iso({ label: 'Twice' }) });
  await writeFile(join(at('f6'), 'out/capture.iso'), 'old output');
  const build = startCli(['build'], at('f6'));
  await partialAppears(join(at('f6'), 'out'), build);
  build.child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 100));
  build.child.kill('SIGINT');
  const result = await build.child;
  t.is(result.exitCode, 130, build.output());
  t.is(await readFile(join(at('f6'), 'out/capture.iso'), 'utf8'), 'old output');
  t.deepEqual(await leftovers(at('f6')), []);
  // what a process still writing (xorriso) might create after the exit
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.deepEqual(await leftovers(at('f6')), []);
});

test.serial('7. two concurrent builds of one config: one waits for the other and reuses its result, no raw errno', async (t) => {
  await configAt('f7', { content: ['CM300001'], ...iso({ label: 'Concurrent' }) });
  const builds = [startCli(['build'], at('f7')), startCli(['build'], at('f7'))];
  const results = await Promise.all(builds.map((b) => b.child));
  const outputs = builds.map((b) => b.output());
  t.deepEqual(
    results.map((r) => r.exitCode),
    [0, 0],
    outputs.join('\n----\n'),
  );
  const waited = outputs.filter((text) =>
    /another build \(process \d+\) is writing .*out\/capture\.iso; waiting for it to finish/.test(text),
  );
  t.is(waited.length, 1, outputs.join('\n----\n'));
  t.regex(waited[0], /up to date/);
  t.notRegex(outputs.join('\n'), /ENOENT|capmedia-partial/);
  t.deepEqual(await leftovers(at('f7')), []);
  const verify = await runCli(['verify', 'out/capture.iso'], { cwd: at('f7') });
  t.is(verify.exitCode, 0, verify.all);
});

test.serial('disk full (a 4 MiB tmpfs as the output folder): exit 1 naming the space, old output intact, nothing partial', async (t) => {
  if (!isRoot) {
    if (inCi) t.fail('CI runs as root: tmpfs mounts must work');
    else t.log('skipped: mounting tmpfs needs root');
    return;
  }
  const out = join(project.dir, 'full');
  await mkdir(out, { recursive: true });
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', out]);
  try {
    await writeFile(join(out, 'capture.iso'), 'old output');
    await configAt('fd', iso({ file: join(out, 'capture.iso'), label: 'Full' }));
    const result = await runCli(['build'], { cwd: at('fd') });
    t.is(result.exitCode, 1, result.all);
    t.regex(result.stderr, /full.* has .* free, but the build needs|No space left on the device/);
    t.is(await readFile(join(out, 'capture.iso'), 'utf8'), 'old output');
    t.deepEqual(await leftovers(out), []);
  } finally {
    await execa('umount', [out]);
  }
});
