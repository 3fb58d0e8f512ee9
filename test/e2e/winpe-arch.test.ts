import test from 'ava';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { inspectMedia } from '../../src/commands/verify.js';
import { makeWinpePackage } from '../boot/_winpe.js';

/** WinPE's inbox drivers for what target.drivers asks by default (R2). */
const DRIVERS = { storage: ['storahci', 'stornvme'], cdrom: ['cdrom'], filesystem: ['cdfs', 'udfs', 'fastfat', 'ntfs'] };
const PACKAGES = { x86: 'CM1000X8', x64: 'CM1000X6', arm64: 'CM1000A6' } as const;
type Arch = keyof typeof PACKAGES;

let project: TestProject;
test.before(async () => {
  project = await createProject({ withBootImage: false });
  for (const arch of Object.keys(PACKAGES) as Arch[]) {
    const folder = await makeWinpePackage(join(project.dir, `pkg/${arch}`), { arch });
    await project.publish(folder, PACKAGES[arch], { kind: 'bootimage', bootImage: { platform: 'winpe', arch, drivers: DRIVERS } });
  }
});
test.after.always(async () => project?.cleanup());

async function build(bootArch: Arch, targetArch: Arch, media: Record<string, unknown>) {
  await project.writeConfig({
    bootImage: { package: PACKAGES[bootArch] },
    target: { arch: targetArch },
    media: { size: 'dvd', label: 'Configuration Manager', staging: './staging', ...media },
  });
  return runCli(['build'], { cwd: project.dir });
}

const elTorito = async (iso: string) => (await execa('xorriso', ['-no_rc', '-indev', iso, '-report_el_torito', 'plain'])).stdout;
const fatPaths = async (image: string) =>
  (
    await execa('mdir', ['-i', `${image}@@1M`, '-/', '-a', '-b', '::/'], { env: { MTOOLS_SKIP_CHECK: '1', LC_ALL: 'C.UTF-8' } })
  ).stdout.toLowerCase();

test.serial('x86 WinPE with an x64 target builds: BIOS etfsboot.com + UEFI efisys.bin on the ISO, bootia32.efi on USB (R1)', async (t) => {
  const iso = await build('x86', 'x64', { type: 'iso', file: 'out/x86.iso' });
  t.is(iso.exitCode, 0, iso.all);
  const records = await elTorito(join(project.dir, 'out/x86.iso'));
  t.regex(records, /El Torito img path :\s+1\s+\/boot\/etfsboot\.com/);
  t.regex(records, /El Torito img path :\s+2\s+\/efi\/microsoft\/boot\/efisys\.bin/);
  t.deepEqual((await inspectMedia(join(project.dir, 'out/x86.iso'))).problems, []);

  const usb = await build('x86', 'x64', { type: 'usb', device: 'out/x86.img' });
  t.is(usb.exitCode, 0, usb.all);
  const paths = await fatPaths(join(project.dir, 'out/x86.img'));
  t.true(paths.includes('::/efi/boot/bootia32.efi'), paths);
  t.true(paths.includes('::/syslinux/syslinux.cfg'), 'x86 boots bootmgr by BIOS through SYSLINUX');
  t.deepEqual((await inspectMedia(join(project.dir, 'out/x86.img'))).problems, []);
});

test.serial(
  'arm64 WinPE with an arm64 target builds UEFI-only media: one El Torito entry (efisys.bin), bootaa64.efi, no SYSLINUX',
  async (t) => {
    const iso = await build('arm64', 'arm64', { type: 'iso', file: 'out/arm64.iso' });
    t.is(iso.exitCode, 0, iso.all);
    const records = await elTorito(join(project.dir, 'out/arm64.iso'));
    t.regex(records, /El Torito boot img :\s+1\s+UEFI\s+y\s+none/);
    t.regex(records, /El Torito img path :\s+1\s+\/efi\/microsoft\/boot\/efisys\.bin/);
    t.notRegex(records, /BIOS/);
    const report = await inspectMedia(join(project.dir, 'out/arm64.iso'));
    t.false(report.bootBios);
    t.deepEqual(report.problems, [], 'no BIOS is no problem on arm64');

    const usb = await build('arm64', 'arm64', { type: 'usb', device: 'out/arm64.img' });
    t.is(usb.exitCode, 0, usb.all);
    t.regex(usb.all, /boots by UEFI only/);
    const paths = await fatPaths(join(project.dir, 'out/arm64.img'));
    t.true(paths.includes('::/efi/boot/bootaa64.efi'), paths);
    t.false(paths.includes('::/syslinux/'), 'no SYSLINUX: arm64 has no BIOS');
    t.deepEqual((await inspectMedia(join(project.dir, 'out/arm64.img'))).problems, []);
  },
);

test.serial('x64 WinPE with an x86 target exits 2 naming both architectures', async (t) => {
  const result = await build('x64', 'x86', { type: 'iso', file: 'out/mismatch.iso' });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.stderr, new RegExp(`${PACKAGES.x64} is x64.*target computer is x86`));
});

test.serial('an x86 WinPE package without bootia32.efi is refused at resolve, naming the file', async (t) => {
  const folder = await makeWinpePackage(join(project.dir, 'pkg/x86-broken'), { arch: 'x86', omit: ['efi/boot/bootia32.efi'] });
  await project.publish(folder, 'CM1000XB', { kind: 'bootimage', bootImage: { platform: 'winpe', arch: 'x86', drivers: DRIVERS } });
  await project.writeConfig({ bootImage: { package: 'CM1000XB' }, media: { type: 'iso', file: 'out/broken.iso', staging: './staging' } });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /efi\/boot\/bootia32\.efi/);
});
