import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, BOOT_ID, type TestProject } from '../_helpers/project.js';
import { inspectMedia } from '../../src/commands/verify.js';
import { sha256File } from '../../src/library/hash.js';
import { makeWinpePackage } from '../boot/_winpe.js';

const TS_NAME = 'Capture WinPE Reference';
/** WinPE's inbox drivers for what target.drivers asks by default (R2). */
const DRIVERS = {
  storage: ['storahci', 'stornvme'],
  cdrom: ['cdrom'],
  filesystem: ['cdfs', 'udfs', 'fastfat', 'ntfs'],
  usb: ['usbstor'],
  network: ['e1i65x64'],
};
const WINPE = { kind: 'bootimage', bootImage: { platform: 'winpe', arch: 'x64', drivers: DRIVERS } } as const;
const NOPROMPT_ID = 'CM1000NP';
const BROKEN_ID = 'CM1000BR';

let project: TestProject;
test.before(async () => {
  project = await createProject({ withBootImage: false });
  await project.publish(await makeWinpePackage(join(project.dir, 'pkg/winpe')), BOOT_ID, WINPE);
  await project.publish(await makeWinpePackage(join(project.dir, 'pkg/noprompt'), { noprompt: true }), NOPROMPT_ID, WINPE);
  await project.publish(await makeWinpePackage(join(project.dir, 'pkg/broken'), { omit: ['boot/etfsboot.com'] }), BROKEN_ID, WINPE);
});
test.after.always(async () => project?.cleanup());

const taskSequence = { name: TS_NAME, image: { name: 'Reference', version: '1.0' }, destination: 'disk:CAPTURE', after: 'poweroff' };

async function build(media: Record<string, unknown>, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  await project.writeConfig({
    taskSequence,
    media: { size: 'dvd', label: 'Configuration Manager', staging: './staging', ...media },
    ...extra,
  });
  return runCli(['build'], { cwd: project.dir, env });
}

const xorriso = async (...args: string[]) => (await execa('xorriso', ['-no_rc', ...args])).stdout;

test.serial("a winpe ISO has oscdimg's El Torito layout and boot.wim carries the task sequence at \\sms\\data", async (t) => {
  const result = await build({ type: 'iso', file: 'out/winpe.iso' });
  t.is(result.exitCode, 0, result.all);
  const iso = join(project.dir, 'out/winpe.iso');
  const plain = await xorriso('-indev', iso, '-report_el_torito', 'plain');
  t.regex(plain, /El Torito boot img :\s+1\s+BIOS\s+y\s+none\s+0x0000\s+0x00\s+8\s+\d+/);
  t.regex(plain, /El Torito boot img :\s+2\s+UEFI\s+y\s+none\s+0x0000\s+0x00\s+\d+\s+\d+/);
  t.regex(plain, /El Torito img path :\s+1\s+\/boot\/etfsboot\.com/);
  t.regex(plain, /El Torito img path :\s+2\s+\/efi\/microsoft\/boot\/efisys\.bin/);
  t.notRegex(plain, /El Torito cat path/, 'no visible boot catalog file, as oscdimg');
  const asMkisofs = await xorriso('-indev', iso, '-report_el_torito', 'as_mkisofs');
  t.regex(
    asMkisofs,
    /-b '\/boot\/etfsboot\.com'\n-no-emul-boot\n-boot-load-size 8\n-eltorito-alt-boot\n-e '\/efi\/microsoft\/boot\/efisys\.bin'\n-no-emul-boot/,
  );
  const systemArea = (await execa('xorriso', ['-no_rc', '-indev', iso, '-report_system_area', 'plain'], { all: true })).all;
  t.regex(systemArea, /No System Area was loaded/, 'no hybrid MBR or GPT, like Windows media');

  const report = await inspectMedia(iso);
  t.deepEqual(report.problems, [], 'capmedia verify finds nothing wrong');
  t.is(report.taskSequence, TS_NAME);

  const wim = join(project.dir, 'boot.wim');
  await execa('xorriso', ['-no_rc', '-osirrox', 'on', '-indev', iso, '-extract', '/sources/boot.wim', wim]);
  const { stdout } = await execa('wimlib-imagex', ['extract', wim, '1', '\\sms\\data\\TaskSequence.json', '--to-stdout'], {
    env: { WIMLIB_IMAGEX_IGNORE_CASE: '1' },
  });
  t.is(JSON.parse(stdout).name, TS_NAME);
  t.regex(
    await xorriso('-indev', iso, '-find', '/SMS/data', '-type', 'f'),
    /TaskSequence\.json/,
    'the task sequence stays on the media root',
  );

  const manifest = JSON.parse(await readFile(join(project.content, `packages/${BOOT_ID}.json`), 'utf8'));
  const original = manifest.files.find((f: { path: string }) => f.path === 'sources/boot.wim');
  t.not((await sha256File(wim)).sha256, original.sha256);
  for (const blob of [
    join(project.content, 'files', original.sha256.slice(0, 2), original.sha256),
    join(project.dir, 'cache/cas', original.sha256.slice(0, 2), original.sha256),
  ]) {
    t.is((await sha256File(blob)).sha256, original.sha256, `${blob} is unchanged`);
  }
});

test.serial('the same inputs and SOURCE_DATE_EPOCH give a byte-identical winpe ISO (fresh caches)', async (t) => {
  for (const name of ['a', 'b']) {
    const result = await build(
      { type: 'iso', file: `out/repro-${name}.iso`, staging: `./staging-${name}` },
      { cache: { dir: `./cache-${name}` } },
      { SOURCE_DATE_EPOCH: '1700000000' },
    );
    t.is(result.exitCode, 0, result.all);
  }
  const [a, b] = await Promise.all(['a', 'b'].map((name) => sha256File(join(project.dir, `out/repro-${name}.iso`))));
  t.is(a.sha256, b.sha256);
});

test.serial('efisys_noprompt.bin, when the package has it, is the UEFI boot image and the build says so', async (t) => {
  const result = await build({ type: 'iso', file: 'out/noprompt.iso' }, { bootImage: { package: NOPROMPT_ID } });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.all, /without "Press any key to boot from CD or DVD"/);
  const plain = await xorriso('-indev', join(project.dir, 'out/noprompt.iso'), '-report_el_torito', 'plain');
  t.regex(plain, /El Torito img path :\s+2\s+\/efi\/microsoft\/boot\/efisys_noprompt\.bin/);
});

test.serial('a winpe package without boot/etfsboot.com fails with a message naming it', async (t) => {
  const result = await build({ type: 'iso', file: 'out/broken.iso' }, { bootImage: { package: BROKEN_ID } });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /boot\/etfsboot\.com/);
});

test.serial('a USB image from a winpe package boots bootx64.efi by UEFI and chainloads bootmgr from SYSLINUX by BIOS', async (t) => {
  const result = await build({ type: 'usb', device: 'out/winpe.img' });
  t.is(result.exitCode, 0, result.all);
  const image = join(project.dir, 'out/winpe.img');
  const mtools = (command: string, ...args: string[]) =>
    execa(command, ['-i', `${image}@@1M`, ...args], { env: { MTOOLS_SKIP_CHECK: '1' } });
  const tree = (await mtools('mdir', '-/', '-a', '-b', '::/')).stdout.toLowerCase();
  for (const path of [
    'efi/boot/bootx64.efi',
    'bootmgr',
    'boot/bcd',
    'sources/boot.wim',
    'syslinux/syslinux.cfg',
    'syslinux/ldlinux.sys',
    'syslinux/ldlinux.c32',
    'syslinux/chain.c32',
    'syslinux/libcom32.c32',
    'syslinux/libutil.c32',
  ]) {
    t.true(tree.includes(`::/${path}`), `${path} missing from\n${tree}`);
  }
  t.regex((await mtools('mtype', '::/syslinux/syslinux.cfg')).stdout, /COM32 chain\.c32\s+APPEND ntldr=\/bootmgr/);
});
