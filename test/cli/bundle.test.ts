import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliEnvironment, REPO } from '../_helpers/cli.js';
import { baseConfig, createProject, type TestProject } from '../_helpers/project.js';
import { writeCodeCache } from '../../src/code-cache/entry.js';
import { startNginx } from '../_helpers/nginx.js';

/**
 * dist/cli.js is a launcher running dist/cli-bundle.cjs, an esbuild bundle, through V8's code cache
 * (scripts/bundle-cli.mjs, src/code-cache/), not what the other tests run (src/ through tsx): this builds both into a
 * package-shaped temp folder and uses them as a user would, so paths relative to the bundle (templates, package.json),
 * the config's 'capmedia', dynamic imports of configs and the hashing worker are checked in the shipped form.
 */
let pkg: string;
let project: TestProject;
test.before(async () => {
  pkg = await mkdtemp(join(tmpdir(), 'capmedia-bundle-'));
  for (const entry of ['package.json', 'templates', 'node_modules']) await symlink(join(REPO, entry), join(pkg, entry));
  await execa('node', [join(REPO, 'scripts/bundle-cli.mjs'), join(pkg, 'dist')]);
  project = await createProject();
});
test.after.always(async () => {
  await project?.cleanup();
  if (pkg) await rm(pkg, { recursive: true, force: true });
});

const bundled = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa('node', [join(pkg, 'dist/cli.js'), ...args], {
    cwd,
    env: { ...cliEnvironment(), ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });

test('the command is a launcher beside one ASCII CommonJS bundle', async (t) => {
  const files = await readdir(join(pkg, 'dist'));
  t.deepEqual(files.filter((f) => f.startsWith('cli')).sort(), ['cli-bundle.cjs', 'cli-bundle.cjs.map', 'cli-import-module.cjs', 'cli.js']);
  t.regex(await readFile(join(pkg, 'dist/cli.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  t.truthy((await stat(join(pkg, 'dist/cli.js'))).mode & 0o100);
  // The launcher reads it as latin1 (no UTF-8 decoding): a non-ASCII byte would change the code.
  t.false(/[^\x00-\x7f]/.test(await readFile(join(pkg, 'dist/cli-bundle.cjs'), 'latin1')));
  const version = await bundled(['--version'], pkg);
  t.is(version.stdout.trim(), JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')).version);
});

test('init, plan, build and verify through the bundle with a capmedia.config.ts importing capmedia', async (t) => {
  const dir = join(project.dir, 'ts-project');
  await mkdir(dir, { recursive: true });
  const init = await bundled(['init'], dir);
  t.is(init.exitCode, 0, init.all);
  const config = join(dir, 'capmedia.config.ts');
  const text = (await readFile(config, 'utf8')).replace('file:./content', `file:${project.content}`);
  t.regex(text, /from 'capmedia'/);
  await writeFile(config, text);
  const plan = await bundled(['plan'], dir);
  t.is(plan.exitCode, 0, plan.all);
  t.regex(plan.stdout, /default \(iso\)/);
  const build = await bundled(['build'], dir);
  t.is(build.exitCode, 0, build.all);
  const iso = /built (\S+\.iso)/.exec(build.stdout)?.[1];
  t.truthy(iso, build.stdout);
  const verify = await bundled(['verify', iso!], dir);
  t.is(verify.exitCode, 0, verify.all);
  t.regex(verify.stdout, /checksum.*ok|sha256.*ok/i);
});

test('a config error from a .ts config is reported by the bundle as a usage error', async (t) => {
  const dir = join(project.dir, 'bad-project');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'capmedia.config.ts'),
    "import { defineConfig } from 'capmedia';\nexport default defineConfig({ media: { type: 'floppy' } } as never);\n",
  );
  const plan = await bundled(['plan', '--json'], dir);
  t.is(plan.exitCode, 2, plan.all);
  t.regex(plan.all, /CONFIG_INVALID/);
});

test('a build from an http distribution point through the bundle (undici and the hashing worker as shipped)', async (t) => {
  const nginx = await startNginx([{ path: '/lib/', root: project.content }]);
  t.teardown(() => nginx.stop());
  const dir = join(project.dir, 'http-project');
  await mkdir(dir, { recursive: true });
  const init = await bundled(['init'], dir);
  t.is(init.exitCode, 0, init.all);
  const config = join(dir, 'capmedia.config.ts');
  await writeFile(config, (await readFile(config, 'utf8')).replace('file:./content', `${nginx.url}/lib/`));
  // A cache of its own: every blob comes over HTTP, from code V8 took from the code cache (import() of node:tls).
  const env = { CAPMEDIA_CACHE_DIR: join(dir, 'cache'), CAPMEDIA_DEBUG_CODE_CACHE: '1' };
  t.is((await bundled(['--version'], dir, env)).exitCode, 0);
  const build = await bundled(['build'], dir, env);
  t.is(build.exitCode, 0, build.all);
  t.regex(build.stderr, /code cache: used /);
  t.regex(build.stdout, /built \S+\.iso/);
  // The boot image's large files (the initrd, tens of MiB) come down in full: hashed on the worker, not skipped.
  t.regex(await nginx.accessLog(), /GET \/lib\/files\/[0-9a-f]{2}\/[0-9a-f]{64} HTTP\/1\.1" 200 [0-9]{7,}/);
});

test("the bundle's help text and zod's locales, which it loads on first use, work as the packages' own", async (t) => {
  const help = await bundled(['--help'], pkg);
  t.is(help.exitCode, 0, help.all);
  // cliui wraps and aligns the columns with string-width and wrap-ansi: a long description wraps onto an indented line.
  t.regex(help.stdout, /^ {2}capmedia plan +\S.*\n {20,}\S/m);
  const dir = join(project.dir, 'locale-project');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'capmedia.config.ts'),
    [
      "import { defineConfig, z } from 'capmedia';",
      'z.config(z.locales.de());',
      "const message = z.string().safeParse(1).error?.issues[0]?.message ?? '';",
      'export default defineConfig(() => {',
      '  throw new Error(`zod said: ${message}`);',
      '});',
    ].join('\n'),
  );
  const plan = await bundled(['plan', '--json'], dir);
  t.is(plan.exitCode, 2, plan.all);
  // The config's zod is the bundle's, with every locale.
  t.regex(plan.all, /zod said: Ungültige Eingabe/);
});

/** Runs the bundle with a code cache folder of its own, telling what the launcher did with the cache. */
const withCache = (cacheDir: string, args: string[], cwd = pkg, nodeOptions: string[] = []) =>
  execa('node', [...nodeOptions, join(pkg, 'dist/cli.js'), ...args], {
    cwd,
    env: { ...cliEnvironment(), CAPMEDIA_CACHE_DIR: cacheDir, CAPMEDIA_DEBUG_CODE_CACHE: '1' },
    extendEnv: false,
    reject: false,
  });

const VERSION_TEXT = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

async function entryFile(cacheDir: string): Promise<string> {
  const names = await readdir(join(cacheDir, 'code'));
  return join(
    cacheDir,
    'code',
    names.find((name) => name.endsWith('.bin'))!,
  );
}

test('the code cache is written by the first run of a command and used by later runs', async (t) => {
  const cacheDir = join(project.dir, 'code-cache-use');
  const first = await withCache(cacheDir, ['--version']);
  t.is(first.stdout.trim(), VERSION_TEXT);
  t.regex(first.stderr, /code cache: missing \S+\/code\/[0-9a-f]{16}-[0-9a-f]{8}\.bin\n/);
  t.regex(first.stderr, /code cache: written \S+ \(\d+ bytes; --version\)/);
  const second = await withCache(cacheDir, ['--version']);
  t.is(second.stdout.trim(), VERSION_TEXT);
  // V8 took the cached code (script.cachedDataRejected false) and nothing was left to add.
  t.regex(second.stderr, /code cache: used /);
  t.notRegex(second.stderr, /written/);
  // Another command compiles functions of its own: the entry gains them once.
  const help = await withCache(cacheDir, ['--help']);
  t.is(help.exitCode, 0, help.stderr);
  t.regex(help.stderr, /code cache: used [^]*written \S+ \(\d+ bytes; --version --help\)/);
  const again = await withCache(cacheDir, ['--help']);
  t.regex(again.stderr, /code cache: used /);
  t.notRegex(again.stderr, /written/);
  t.is(again.stdout, help.stdout);
});

/** A run with a damaged entry does its work, says why it set the entry aside and writes a good one, used by the next. */
async function expectRewritten(t: ExecutionContext, cacheDir: string, why: 'corrupt' | 'rejected'): Promise<void> {
  const run = await withCache(cacheDir, ['--version']);
  t.is(run.exitCode, 0, run.stderr);
  t.is(run.stdout.trim(), VERSION_TEXT);
  t.regex(run.stderr, new RegExp(`code cache: ${why} [^]*code cache: written `));
  t.regex((await withCache(cacheDir, ['--version'])).stderr, /code cache: used /);
}

test('a truncated or corrupt entry is ignored and written again', async (t) => {
  const cacheDir = join(project.dir, 'code-cache-corrupt');
  t.is((await withCache(cacheDir, ['--version'])).exitCode, 0);
  const file = await entryFile(cacheDir);
  await truncate(file, (await stat(file)).size - 10);
  await expectRewritten(t, cacheDir, 'corrupt');
  // The code itself damaged, length intact: V8's checksum (turned on by the launcher) refuses it.
  const bytes = await readFile(file);
  bytes[bytes.length - 500] ^= 0xff;
  await writeFile(file, bytes);
  await expectRewritten(t, cacheDir, 'rejected');
});

test('an intact entry that V8 refuses is written again', async (t) => {
  const cacheDir = join(project.dir, 'code-cache-rejected');
  t.is((await withCache(cacheDir, ['--version'])).exitCode, 0);
  const file = await entryFile(cacheDir);
  const header = JSON.parse((await readFile(file, 'latin1')).split('\n')[1]) as { key: string };
  // The file as it should be (key, length), the code not V8's: as after a V8 change that the key would not catch.
  t.is(writeCodeCache(file, { key: header.key, commands: ['--version'], data: Buffer.alloc(4096, 7) }), undefined);
  await expectRewritten(t, cacheDir, 'rejected');
});

test('a cache folder that cannot be written does not fail the command', async (t) => {
  const blocked = join(project.dir, 'not-a-folder');
  await writeFile(blocked, 'a file where the cache folder would be');
  const version = await withCache(join(blocked, 'cache'), ['--version']);
  t.is(version.exitCode, 0, version.stderr);
  t.is(version.stdout.trim(), VERSION_TEXT);
  t.regex(version.stderr, /code cache: missing [^]*code cache: not written: ENOTDIR/);
});

test("with source maps on, the bundle runs through Node's own loader (no code cache), as does CAPMEDIA_CODE_CACHE=off", async (t) => {
  const cacheDir = join(project.dir, 'code-cache-bypassed');
  const mapped = await withCache(cacheDir, ['--version'], pkg, ['--enable-source-maps']);
  t.is(mapped.stdout.trim(), VERSION_TEXT);
  t.notRegex(mapped.stderr, /code cache/);
  const off = await execa('node', [join(pkg, 'dist/cli.js'), '--version'], {
    env: { ...cliEnvironment(), CAPMEDIA_CACHE_DIR: cacheDir, CAPMEDIA_DEBUG_CODE_CACHE: '1', CAPMEDIA_CODE_CACHE: 'off' },
    extendEnv: false,
  });
  t.is(off.stdout.trim(), VERSION_TEXT);
  t.notRegex(off.stderr, /code cache/);
  await t.throwsAsync(readdir(join(cacheDir, 'code')));
});

test('an .mjs config and the plugin it imports load through import() from the cached bundle', async (t) => {
  const dir = join(project.dir, 'mjs-project');
  await mkdir(join(dir, 'plugins'), { recursive: true });
  const config = { ...baseConfig(), distributionPoints: [{ name: 'local', url: pathToFileURL(project.content).href }] };
  await writeFile(join(dir, 'settings.mjs'), `export const config = ${JSON.stringify(config)};\n`);
  await writeFile(join(dir, 'capmedia.config.mjs'), "import { config } from './settings.mjs';\nexport default config;\n");
  const cacheDir = join(project.dir, 'code-cache-mjs');
  for (const run of ['missing', 'used']) {
    const plan = await withCache(cacheDir, ['plan'], dir);
    t.is(plan.exitCode, 0, plan.stderr);
    t.regex(plan.stdout, /default \(iso\)/);
    t.regex(plan.stderr, new RegExp(`code cache: ${run} `));
  }
  await writeFile(join(dir, 'plugins', 'odd.mjs'), "export default { name: 'odd-plugin', mediaTypes: [42] };\n");
  await writeFile(
    join(dir, 'capmedia.config.mjs'),
    "import { config } from './settings.mjs';\nimport odd from './plugins/odd.mjs';\nexport default { ...config, plugins: [odd] };\n",
  );
  const refused = await withCache(cacheDir, ['plan', '--json'], dir);
  t.is(refused.exitCode, 2, refused.stderr);
  t.regex(refused.stdout, /The plugin \\"odd-plugin\\": its media type #1 is number 42/);
});
