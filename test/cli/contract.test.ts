import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { tempFolder } from '../_helpers/temp.js';

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

test.serial('verify inspects a USB image: FAT label, boot files, MediaLabel.txt, files by path; a damaged one fails', async (t) => {
  await project.writeConfig({ media: { type: 'usb', device: 'out/u.img', label: 'USB Verify', staging: './staging' } });
  const built = await runCli(['build'], { cwd: project.dir });
  t.is(built.exitCode, 0, built.all);
  const image = join(project.dir, 'out/u.img');
  const ok = await runCli(['verify', image], { cwd: project.dir });
  t.is(ok.exitCode, 0, ok.all);
  t.regex(ok.stdout, /volume id: +USB VERIFY/);
  t.regex(ok.stdout, /BIOS yes, UEFI yes, partition table MBR/);
  t.regex(ok.stdout, /label=USB Verify/);
  await execa('mdel', ['-i', `${image}@@1048576`, '::/MediaLabel.txt'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  const bad = await runCli(['verify', image], { cwd: project.dir });
  t.is(bad.exitCode, 1, bad.all);
  t.regex(bad.stderr, /MediaLabel\.txt missing/);
});

test.serial('an output path that is a folder is a usage error before any work', async (t) => {
  await mkdir(join(project.dir, 'out/folder.iso'), { recursive: true });
  await project.writeConfig({ media: { type: 'iso', file: 'out/folder.iso', staging: './staging' } });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.stderr, /media\.file of media "default" is .*folder\.iso, which is a folder/);
});

test('a secret typed into the config is never echoed in the error', async (t) => {
  await writeFile(
    join(project.dir, 'secret.json'),
    JSON.stringify({
      ...JSON.parse(await readFile(await project.writeConfig(), 'utf8')),
      distributionPoints: [{ name: 'x', url: 'https://x.invalid/', auth: { username: 'u', password: 'hunter2SECRET' } }],
    }),
  );
  const result = await runCli(['plan', '--config', 'secret.json', '--json'], { cwd: project.dir });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.all, /distributionPoints\[0\]\.auth\.password: unknown key \(value hidden/);
  t.notRegex(result.all, /hunter2SECRET/);
});

test('init writes a config that loads without capmedia installed in the project; usage errors honour --json', async (t) => {
  const dir = await tempFolder(t, 'capmedia-init-');
  const init = await runCli(['init', '--cwd', join(dir, 'new')], { cwd: dir });
  t.is(init.exitCode, 0, init.all);
  const config = join(dir, 'new/capmedia.config.ts');
  await writeFile(config, (await readFile(config, 'utf8')).replace('file:./content', `file:${project.content}`));
  const plan = await runCli(['plan'], { cwd: join(dir, 'new') });
  t.is(plan.exitCode, 0, plan.all);
  t.regex(plan.stdout, /default \(iso\)/);
  const usage = await runCli(['build', '--bogus', '--json'], { cwd: dir });
  t.is(usage.exitCode, 2);
  t.is(JSON.parse(usage.stdout).error.code, 'USAGE');
  const missing = await runCli(['verify', join(dir, 'nope.iso')], { cwd: dir });
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /does not exist/);
});

test.serial('with several media, a failure names the media it is about; build by name builds only that one', async (t) => {
  await project.writeConfig({
    media: [
      { name: 'site-a', type: 'iso', file: 'out/site-a.iso', staging: './staging' },
      { name: 'site-b', type: 'iso', file: 'out/site-b.iso', size: '5MB', staging: './staging' },
    ],
  });
  const all = await runCli(['build'], { cwd: project.dir });
  t.is(all.exitCode, 1, all.all);
  t.regex(all.stderr, /Media "site-b": The boot image and task sequence alone need/);
  const one = await runCli(['build', 'site-a'], { cwd: project.dir });
  t.is(one.exitCode, 0, one.all);
  t.regex(one.stdout, /built .*site-a\.iso/);
  t.notRegex(one.stdout, /site-b\.iso/);
});
