import test from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnvironment, REPO } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { startNginx } from '../_helpers/nginx.js';

/**
 * dist/cli.js is an esbuild bundle (scripts/bundle-cli.mjs), not what the other tests run (src/ through tsx): this
 * builds it into a package-shaped temp folder and uses it as a user would, so paths relative to the bundle's chunks
 * (templates, package.json), the config's 'capmedia' and the hashing worker are checked in the shipped form.
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

test('the bundle is one entry with lazily loaded chunks beside it', async (t) => {
  const files = await readdir(join(pkg, 'dist'));
  t.true(files.includes('cli.js'));
  t.true(
    files.some((f) => /^cli-build-.*\.js$/.test(f)),
    files.join(' '),
  );
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
  // A cache of its own: every blob comes over HTTP.
  const build = await bundled(['build'], dir, { CAPMEDIA_CACHE_DIR: join(dir, 'cache') });
  t.is(build.exitCode, 0, build.all);
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
