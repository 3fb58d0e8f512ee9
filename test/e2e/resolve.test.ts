import test from 'ava';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { ensureBootImage } from '../_helpers/bootimage.js';

let project: TestProject;
test.before(async () => {
  project = await createProject();
  // The same boot files published as an x86 boot image, to exercise R1 both ways.
  await project.publish(await ensureBootImage(), 'CM1000X86', {
    bootImage: { platform: 'linux', arch: 'x86', drivers: { storage: ['ahci'] } },
  });
});
test.after.always(async () => project?.cleanup());

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

test.serial('R1: an x86 target refuses an x64 boot image, naming both architectures (exit 2)', async (t) => {
  await project.writeConfig({ target: { arch: 'x86' } });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.stderr, /boot image CM100004 is x64, but the target computer is x86/);
  t.false(await exists(join(project.dir, 'out')));
});

test.serial('R1: an x64 target accepts an x86 boot image', async (t) => {
  await project.writeConfig({
    target: { arch: 'x64', drivers: ['storage'] },
    bootImage: { package: 'CM1000X86' },
    media: { type: 'iso', file: 'out/x86.iso', staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 0, result.all);
  t.true(await exists(join(project.dir, 'out/x86.iso')));
});

test.serial('R2: a required driver the boot image lacks is an error, or a warning with --allow-missing-drivers', async (t) => {
  await project.writeConfig({
    target: { arch: 'x64', drivers: ['storage', 'mpt3sas'] },
    media: { type: 'iso', file: 'out/drv.iso', staging: './staging' },
  });
  const failed = await runCli(['build'], { cwd: project.dir });
  t.is(failed.exitCode, 2, failed.all);
  t.regex(failed.stderr, /lacks drivers the target needs \(target\.drivers\): mpt3sas/);
  const allowed = await runCli(['build', '--allow-missing-drivers'], { cwd: project.dir });
  t.is(allowed.exitCode, 0, allowed.all);
  t.regex(allowed.stdout, /warning: .*mpt3sas/);
});

test.serial('a config error exits 2, names the key path and writes nothing', async (t) => {
  const before = (await readdir(join(project.dir, 'staging'))).sort();
  for (const [media, expected] of [
    [{ type: 'iso', file: 'out/e.iso', colour: 'red' }, /media\.colour: unknown key/],
    [{ type: 'iso', file: 'out/e.iso', autorun: 'yes' }, /media\.autorun: "yes" is not allowed: expected boolean/],
    [{ type: 'floppy', file: 'out/e.iso' }, /media\.type: "floppy" is not allowed: expected one of "iso", "usb"/],
  ] as const) {
    await project.writeConfig({ media: { ...media, staging: './staging' } });
    const result = await runCli(['build'], { cwd: project.dir });
    t.is(result.exitCode, 2, result.all);
    t.regex(result.stderr, expected);
    t.false(await exists(join(project.dir, 'out/e.iso')));
  }
  t.deepEqual((await readdir(join(project.dir, 'staging'))).sort(), before);
});

test.serial('an unknown package exits 1 naming the package and the distribution point', async (t) => {
  await project.writeConfig({ bootImage: { package: 'CM999999' } });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /Package CM999999 could not be read from any distribution point/);
  t.regex(result.stderr, /local: .*not on distribution point local/);
});

test('usage errors exit 2', async (t) => {
  const result = await runCli(['build', '--no-such-flag'], { cwd: project.dir });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /Unknown argument/);
  const none = await runCli([], { cwd: project.dir });
  t.is(none.exitCode, 2);
});

test('--help and --version', async (t) => {
  const help = await runCli(['--help'], { cwd: project.dir });
  t.is(help.exitCode, 0);
  for (const cmd of ['build', 'distribute', 'bootimage', 'boot', 'verify', 'init', 'clean'])
    t.regex(help.stdout, new RegExp(`capmedia ${cmd}`));
  const version = await runCli(['--version'], { cwd: project.dir });
  t.regex(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
});
