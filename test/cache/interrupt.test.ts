import test from 'ava';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { cliEnvironment, runCli, REPO } from '../_helpers/cli.js';
import { createProject, publishLargePackage, type TestProject } from '../_helpers/project.js';
import { tempFolder } from '../_helpers/temp.js';

let project: TestProject;
test.before(async () => {
  project = await createProject();
  await publishLargePackage(project, 'CM300001', 12);
});
test.after.always(async () => project?.cleanup());

test.serial('Ctrl-C stops the build, exits 130 with a note that re-running resumes, and leaves the old output intact', async (t) => {
  await project.writeConfig({ media: { type: 'iso', file: 'out/capture.iso', label: 'Before', staging: './staging' } });
  t.is((await runCli(['build'], { cwd: project.dir })).exitCode, 0);
  const before = await readFile(join(project.dir, 'out/capture.iso'));
  await project.writeConfig({
    content: ['CM300001'],
    media: { type: 'iso', file: 'out/capture.iso', label: 'After', staging: './staging' },
  });
  const child = execa('node', ['--import', import.meta.resolve('tsx'), join(REPO, 'src/cli.ts'), 'build'], {
    cwd: project.dir,
    env: cliEnvironment(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  // interrupt once the build is under way (after resolve, while staging or packing)
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (/verify distribution|stage|format\/pack/.test(String(chunk))) resolve();
    });
  });
  child.kill('SIGINT');
  const result = await child;
  t.is(result.exitCode, 130, String(result.all));
  t.regex(String(result.stderr), /stopping… previous outputs stay untouched; run the same command again/);
  t.true((await readFile(join(project.dir, 'out/capture.iso'))).equals(before));
  t.deepEqual(
    (await readdir(join(project.dir, 'out'))).filter((n) => n.endsWith('.capmedia-partial')),
    [],
  );
  const resumed = await runCli(['build'], { cwd: project.dir });
  t.is(resumed.exitCode, 0, resumed.all);
});

test.serial('clean removes the cache and stale staging folders, and nothing else', async (t) => {
  await project.writeConfig();
  t.is((await runCli(['build'], { cwd: project.dir })).exitCode, 0);
  await writeFile(join(project.dir, 'staging', 'keep-me.txt'), 'user file');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(project.dir, 'staging', 'capmedia-default-0123456789ab'), { recursive: true });
  const result = await runCli(['clean'], { cwd: project.dir });
  t.is(result.exitCode, 0, result.all);
  const left = await readdir(join(project.dir, 'staging'));
  t.deepEqual(left, ['keep-me.txt']);
  t.deepEqual((await readdir(project.dir)).includes('cache'), false);
  t.true((await readdir(join(project.dir, 'out'))).includes('capture.iso'), 'outputs are not the cache');
});

test.serial('init writes a starter config and never overwrites one', async (t) => {
  const dir = await tempFolder(t, 'capmedia-init-');
  const first = await runCli(['init'], { cwd: dir });
  t.is(first.exitCode, 0, first.all);
  const text = await readFile(join(dir, 'capmedia.config.ts'), 'utf8');
  t.regex(text, /defineConfig/);
  await writeFile(join(dir, 'capmedia.config.ts'), 'mine');
  const second = await runCli(['init'], { cwd: dir });
  t.is(second.exitCode, 2);
  t.is(await readFile(join(dir, 'capmedia.config.ts'), 'utf8'), 'mine');
});
