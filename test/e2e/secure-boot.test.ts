import test from 'ava';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import type { BootImagePackageMetadata } from '../../src/bootimage/index.js';
import { bootUnderQemu, type BootRunOptions } from '../../src/tools/qemu.js';
import { CACHE_DIR } from '../_helpers/bootimage.js';
import { runCli } from '../_helpers/cli.js';
import { createProject, BOOT_ID, type TestProject } from '../_helpers/project.js';
import { markerLines } from '../_helpers/qemu.js';

/**
 * UEFI Secure Boot enforced with Microsoft's keys (OVMF secboot + the ms
 * variable store), as reference computers ship. The default boot image (shim →
 * signed GRUB → signed kernel) must boot as ISO on a CD, ISO on a stick and
 * USB images with MBR and GPT; a boot image built with --no-secure-boot must
 * be refused there and still boot with Secure Boot off. One VM at a time.
 */

const TIMEOUT_MS = 180_000;
const TS_NAME = 'Capture under Secure Boot';
const DONE = /CAPMEDIA-TASKSEQUENCE name=.*/;
const FAILED = /CAPMEDIA-MEDIA-NOT-FOUND|CAPMEDIA-GRUB-MEDIA-NOT-FOUND|Kernel panic/;
const SB_ON = 'CAPMEDIA-BOOT-OK firmware=UEFI secureboot=on';

const SB_FIRMWARE = ['/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'];
const missingFirmware = SB_FIRMWARE.filter((file) => !existsSync(file));
// Without the firmware there is nothing to test; in CI that is a broken set-up and must fail.
const sbTest = missingFirmware.length && process.env.CI !== 'true' ? test.serial.skip : test.serial;
const skipNote = missingFirmware.length ? ` [skipped: ${missingFirmware.join(', ')} missing; apt-get install ovmf]` : '';

let project: TestProject;
const out = (name: string) => join(project.dir, 'out', name);

test.before(async () => {
  project = await createProject();
  const media = { label: 'Configuration Manager', staging: './staging' };
  await project.writeConfig({
    taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
    media: [
      { name: 'iso', type: 'iso', file: 'out/capture.iso', ...media },
      { name: 'mbr', type: 'usb', device: 'out/mbr.img', ...media },
      { name: 'gpt', type: 'usb', device: 'out/gpt.img', partitionTable: 'gpt', ...media },
    ],
  });
  const result = await runCli(['build'], { cwd: project.dir });
  if (result.exitCode !== 0) throw new Error(result.all);
});
test.after.always(async () => project?.cleanup());

async function boot(
  t: { log: (...values: unknown[]) => void },
  options: Omit<BootRunOptions, 'successMarker' | 'failureMarker' | 'timeoutMs'>,
) {
  const result = await bootUnderQemu({ successMarker: DONE, failureMarker: FAILED, timeoutMs: TIMEOUT_MS, ...options });
  const mode = options.secureBoot ? 'uefi+secure boot' : options.firmware;
  t.log(`${mode} ${options.as}: ${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s`);
  return { ...result, markers: markerLines(result.serial) };
}

test.serial('verify says the ISO and the USB images carry the shim-signed chain and prints the SBAT levels of shim and GRUB', async (t) => {
  for (const file of ['capture.iso', 'mbr.img', 'gpt.img']) {
    const result = await runCli(['verify', out(file)], { cwd: project.dir });
    t.is(result.exitCode, 0, result.all);
    t.regex(
      result.stdout,
      /UEFI chain: +Secure Boot: shim-signed \(shim \S+ signed by Microsoft Corporation UEFI CA 2011.* → grub2 \S+ signed by Debian Secure Boot CA\)/,
      file,
    );
    t.regex(result.stdout, /SBAT: +shim \S+: shim,\d+ shim\.debian,\d+ · grub2 \S+: grub,\d+ grub\.debian,\d+/, file);
    t.regex(result.stdout, /shim SbatLevel: +sbat,1,\d+ shim,\d+ grub,\d+/, file);
  }
  const json = JSON.parse((await runCli(['verify', out('gpt.img'), '--json'], { cwd: project.dir })).stdout);
  t.is(json.uefiChain.kind, 'shim');
  t.true(json.uefiChain.next.sbat.some((entry: string) => /^grub,\d+$/.test(entry)));
});

test.serial(
  'format: false copies the same layout onto a prepared FAT32 volume: shim, grubx64.efi, mmx64.efi, EFI/debian/grub.cfg',
  async (t) => {
    const image = out('prepared.img');
    await execa('truncate', ['-s', '96M', image]);
    await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nstart=2048, type=c, bootable\n' });
    await execa('mkfs.fat', ['-F', '32', '-n', 'PREPARED', '--offset', '2048', image, String(95 * 1024)]);
    const config = await project.writeConfig({
      taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
      media: { type: 'usb', device: 'out/prepared.img', format: false, label: 'Configuration Manager', staging: './staging' },
    });
    t.teardown(() => rm(config));
    const built = await runCli(['build'], { cwd: project.dir });
    t.is(built.exitCode, 0, built.all);
    const listing = (await execa('mdir', ['-i', `${image}@@1M`, '-/', '-b', '::/EFI'], { env: { MTOOLS_SKIP_CHECK: '1' } })).stdout;
    for (const path of ['EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/grubx64.efi', 'EFI/BOOT/mmx64.efi', 'EFI/debian/grub.cfg']) {
      t.regex(listing, new RegExp(`^::/${path}$`, 'im'), listing);
    }
    t.notRegex(listing, /fbx64/i);
    const verified = await runCli(['verify', image], { cwd: project.dir });
    t.regex(verified.stdout, /UEFI chain: +Secure Boot: shim-signed/, verified.all);
  },
);

sbTest(`capmedia boot --secure-boot: the ISO as a CD boots the signed chain to the task sequence${skipNote}`, async (t) => {
  const result = await runCli(['boot', out('capture.iso'), '--secure-boot', '--as', 'cd', '--timeout', String(TIMEOUT_MS / 1000)], {
    cwd: project.dir,
    timeoutMs: TIMEOUT_MS + 60_000,
  });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /UEFI \(Secure Boot enforced\) cd: success/);
  t.true(result.stdout.includes(SB_ON), result.stdout);
  t.regex(result.stdout, /CAPMEDIA-MEDIA-FOUND device=\/dev\/sr0/);
  t.true(result.stdout.includes(`CAPMEDIA-TASKSEQUENCE name=${TS_NAME}`), result.stdout);
});

for (const [file, what] of [
  ['capture.iso', 'the ISO written to a stick'],
  ['mbr.img', 'the MBR USB image'],
  ['gpt.img', 'the GPT USB image'],
] as const) {
  sbTest(`Secure Boot enforced: ${what} boots shim → GRUB → kernel to the task sequence${skipNote}`, async (t) => {
    const result = await boot(t, { image: out(file), firmware: 'uefi', secureBoot: true, as: 'usb' });
    t.is(result.outcome, 'success', result.markers.join('\n') || result.serial.slice(-3000));
    t.true(result.markers.includes(SB_ON), result.markers.join('\n'));
    t.true(result.markers.includes(`CAPMEDIA-TASKSEQUENCE name=${TS_NAME}`), result.markers.join('\n'));
    t.true(
      result.markers.some((line) => /^CAPMEDIA-MEDIA-FOUND device=\/dev\/sda\d*$/.test(line)),
      result.markers.join('\n'),
    );
  });
}

test.serial('the GPT USB image still boots by BIOS (SYSLINUX with gptmbr.bin)', async (t) => {
  const result = await boot(t, { image: out('gpt.img'), firmware: 'bios', as: 'usb' });
  t.is(result.outcome, 'success', result.markers.join('\n') || result.serial.slice(-3000));
  t.true(result.markers.includes('CAPMEDIA-BOOT-OK firmware=BIOS'), result.markers.join('\n'));
});

sbTest(
  `negative control: a boot image built with --no-secure-boot is refused under Secure Boot and boots with it off${skipNote}`,
  async (t) => {
    const unsigned = join(project.dir, 'bootimage-unsigned');
    const created = await runCli(['bootimage', 'create', '--no-secure-boot', '--out', unsigned, '--cache-dir', CACHE_DIR], {
      cwd: project.dir,
    });
    t.is(created.exitCode, 0, created.all);
    t.regex(created.stdout, /UEFI without Secure Boot: standalone GRUB from grub-efi-amd64-bin \S+/);
    const metadata = JSON.parse(await readFile(join(unsigned, 'capmedia-package.json'), 'utf8')) as BootImagePackageMetadata;
    t.false(metadata.bootImage.uefi.secureBoot);
    t.deepEqual(await readdir(join(unsigned, 'EFI/BOOT')), ['BOOTX64.EFI']);

    const other = await createProject({ withBootImage: false });
    t.teardown(() => other.cleanup());
    await other.publish(unsigned, BOOT_ID);
    await other.writeConfig({
      taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
    });
    const built = await runCli(['build'], { cwd: other.dir });
    t.is(built.exitCode, 0, built.all);
    const iso = join(other.dir, 'out/capture.iso');
    t.regex((await runCli(['verify', iso], { cwd: other.dir })).stdout, /UEFI chain: +no Secure Boot: EFI\/BOOT\/BOOTX64\.EFI is unsigned/);

    const refused = await runCli(['boot', iso, '--secure-boot', '--timeout', String(TIMEOUT_MS / 1000)], {
      cwd: other.dir,
      timeoutMs: TIMEOUT_MS + 60_000,
    });
    t.is(refused.exitCode, 1, refused.all);
    t.regex(refused.stdout, /UEFI \(Secure Boot enforced\) cd: refused/);
    t.regex(refused.stdout, /Access Denied|Security Violation/);
    t.notRegex(refused.all, /CAPMEDIA-BOOT-OK/);

    const allowed = await boot(t, { image: iso, firmware: 'uefi', as: 'cd' });
    t.is(allowed.outcome, 'success', allowed.markers.join('\n') || allowed.serial.slice(-3000));
    t.true(allowed.markers.includes('CAPMEDIA-BOOT-OK firmware=UEFI secureboot=off'), allowed.markers.join('\n'));
  },
);
