import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fail } from '../errors/index.js';
import type { Exec } from '../tools/exec.js';
import { BOOT_IMAGE_FILES, KERNEL_CMDLINE } from './layout.js';
import { readLinuxTemplate, renderTemplate, type LinuxTemplate } from './templates.js';
import type { BuildContext } from './types.js';

/**
 * BIOS boot files: ISOLINUX for CDs and hybrid ISOs, SYSLINUX for FAT USB
 * sticks. isolinux.bin refuses an ldlinux.c32 of another build, and
 * isohdpfx.bin must come with the isolinux.bin it chain-loads, so all come
 * from the installed packages of one syslinux release.
 */

interface SystemFile {
  source: string;
  target: string;
  debianPackage: string;
}

const SYSTEM_FILES: SystemFile[] = [
  { source: '/usr/lib/ISOLINUX/isolinux.bin', target: BOOT_IMAGE_FILES.isolinuxBin, debianPackage: 'isolinux' },
  { source: '/usr/lib/ISOLINUX/isohdpfx.bin', target: BOOT_IMAGE_FILES.isohybridMbr, debianPackage: 'isolinux' },
  { source: '/usr/lib/syslinux/modules/bios/ldlinux.c32', target: BOOT_IMAGE_FILES.isolinuxLdlinux, debianPackage: 'syslinux-common' },
  { source: '/usr/lib/syslinux/modules/bios/ldlinux.c32', target: BOOT_IMAGE_FILES.syslinuxLdlinux, debianPackage: 'syslinux-common' },
];

export async function writeBiosBootFiles(ctx: BuildContext, outDir: string): Promise<void> {
  await checkSameRelease(ctx.exec, ctx.signal);
  for (const file of SYSTEM_FILES) {
    if (!(await stat(file.source).catch(() => undefined))) {
      throw fail('syslinuxFileMissing', { source: file.source, debianPackage: file.debianPackage });
    }
    await mkdir(dirname(join(outDir, file.target)), { recursive: true });
    await copyFile(file.source, join(outDir, file.target));
  }
  await writeMenu(outDir, 'isolinux.cfg', BOOT_IMAGE_FILES.isolinuxCfg);
  await writeMenu(outDir, 'syslinux.cfg', BOOT_IMAGE_FILES.syslinuxCfg);
}

async function writeMenu(outDir: string, template: LinuxTemplate, target: string): Promise<void> {
  const text = renderTemplate(template, await readLinuxTemplate(template), {
    KERNEL: `/${BOOT_IMAGE_FILES.kernel}`,
    INITRD: `/${BOOT_IMAGE_FILES.initrd}`,
    CMDLINE: KERNEL_CMDLINE,
  });
  await writeFile(join(outDir, target), text);
}

/** A half-upgraded syslinux (isolinux and syslinux-common at different versions) boots to "failed to load ldlinux.c32". */
async function checkSameRelease(exec: Exec, signal?: AbortSignal): Promise<void> {
  const version = async (pkg: string) =>
    (await exec('dpkg-query', ['-W', '-f=${Version}', pkg], { cancelSignal: signal }).catch(() => ({ stdout: '' }))).stdout.trim();
  const [isolinux, common] = [await version('isolinux'), await version('syslinux-common')];
  if (isolinux && common && isolinux !== common) {
    throw fail('syslinuxReleaseMismatch', { isolinux, common });
  }
}
