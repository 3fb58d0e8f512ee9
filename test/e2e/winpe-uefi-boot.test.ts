import test from 'ava';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, BOOT_ID, type TestProject } from '../_helpers/project.js';
import { markerLines } from '../_helpers/qemu.js';
import { bootUnderQemu } from '../../src/tools/qemu.js';
import { usbBootImage } from '../media/_boot-image.js';
import { makeWinpePackage } from '../boot/_winpe.js';
import { exec } from '../../src/tools/exec.js';
import { ensureEfiLoader, renderGrubCfg } from '../../src/bootimage/grub.js';

// Slow: one QEMU boot (TCG, OVMF, -m 512, hard timeout).
const TIMEOUT_MS = 150_000;
const TS_NAME = 'Capture WinPE UEFI Test';

let project: TestProject;
test.before(async () => {
  project = await createProject({ withBootImage: false });
});
test.after.always(async () => project?.cleanup());

/**
 * No Windows boot manager exists here, so the synthetic package's efisys.bin
 * holds the open linux boot image's GRUB EFI loader instead, and the package
 * carries that image's kernel and initrd. When OVMF starts the ISO's El Torito
 * UEFI entry (efisys.bin, platform 0xEF), GRUB finds the medium by
 * SMS/data/TaskSequence.json and the kernel prints the task sequence's name:
 * the winpe ISO's UEFI boot record and its media-root task sequence both work.
 */
test("OVMF boots the winpe ISO's UEFI El Torito image (efisys.bin) from CD", async (t) => {
  const linux = await usbBootImage();
  const folder = await makeWinpePackage(join(project.dir, 'pkg/winpe-grub'), {
    efiLoader: await standaloneGrub(join(project.dir, 'efi-cache')),
    extra: { 'boot/vmlinuz': { copyFrom: join(linux, 'boot/vmlinuz') }, 'boot/initrd.img': { copyFrom: join(linux, 'boot/initrd.img') } },
  });
  await project.publish(folder, BOOT_ID, {
    kind: 'bootimage',
    bootImage: { platform: 'winpe', arch: 'x64', drivers: { storage: ['storahci'], cdrom: ['cdrom'], filesystem: ['cdfs'] } },
  });
  await project.writeConfig({
    taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
    media: { type: 'iso', file: 'out/winpe-uefi.iso', label: 'WinPE UEFI', staging: './staging' },
  });
  const build = await runCli(['build'], { cwd: project.dir });
  t.is(build.exitCode, 0, build.all);
  const result = await bootUnderQemu({
    image: join(project.dir, 'out/winpe-uefi.iso'),
    firmware: 'uefi',
    as: 'cd',
    memoryMiB: 512,
    successMarker: /CAPMEDIA-TASKSEQUENCE name=.*/,
    failureMarker: /CAPMEDIA-(GRUB-)?MEDIA-NOT-FOUND|Kernel panic/,
    timeoutMs: TIMEOUT_MS,
  });
  t.is(result.outcome, 'success', markerLines(result.serial).join('\n') || result.serial.slice(-3000));
  t.regex(result.serial, /CAPMEDIA-BOOT-OK firmware=UEFI/);
  t.true(result.serial.includes(`CAPMEDIA-TASKSEQUENCE name=${TS_NAME}`));
  t.log(`uefi/cd: ${(result.durationMs / 1000).toFixed(1)} s`);
});

/**
 * One-file GRUB with the boot image's grub.cfg embedded (what --no-secure-boot
 * images carry): efisys.bin is a FAT image holding the loader alone, as the
 * ADK's does, so the signed chain (shim beside grubx64.efi, grub.cfg in the
 * ISO tree) does not fit it.
 */
async function standaloneGrub(cacheDir: string): Promise<string> {
  const ctx = { cacheDir, exec, progress: () => undefined, signal: undefined } as unknown as Parameters<typeof ensureEfiLoader>[0];
  return (await ensureEfiLoader(ctx, await renderGrubCfg())).path;
}
