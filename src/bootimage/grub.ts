import { createHash } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors/index.js';
import { BOOT_IMAGE_FILES, KERNEL_CMDLINE, TASK_SEQUENCE_JSON } from './layout.js';
import { readLinuxTemplate, renderTemplate } from './templates.js';
import type { BuildContext } from './types.js';
import { moveIntoPlace, withScratchFolder } from '../fs/atomic.js';

/**
 * The UEFI loader of a boot image without Secure Boot: a standalone GRUB (one .efi file, config and modules in its
 * memdisk). grub-mkstandalone output differs on every run (memdisk tar
 * mtimes), so it is built once per (GRUB version, config, modules) and cached.
 */

const GRUB_PLATFORM_DIR = '/usr/lib/grub/x86_64-efi';
export const GRUB_PACKAGE = 'grub-efi-amd64-bin';

export interface EfiLoader {
  path: string;
  /** Debian version of GRUB_PACKAGE it was built with. */
  grubVersion: string;
}

/** Enough to search ISO 9660/FAT media on MBR/GPT disks and boot Linux with a serial console. */
export const GRUB_EFI_MODULES = [
  'part_gpt',
  'part_msdos',
  'fat',
  'iso9660',
  'search',
  'search_fs_file',
  'linux',
  'normal',
  'serial',
  'terminal',
  'echo',
  'test',
  'sleep',
  'halt',
  'reboot',
  'efi_gop',
];

export async function renderGrubCfg(): Promise<string> {
  return renderTemplate('grub.cfg', await readLinuxTemplate('grub.cfg'), {
    MARKER: TASK_SEQUENCE_JSON,
    KERNEL: `/${BOOT_IMAGE_FILES.kernel}`,
    INITRD: `/${BOOT_IMAGE_FILES.initrd}`,
    CMDLINE: KERNEL_CMDLINE,
  });
}

/** Returns a cached BOOTX64.EFI embedding grubCfg, building it on a miss. */
export async function ensureEfiLoader(ctx: BuildContext, grubCfg: string): Promise<EfiLoader> {
  const grubVersion = await grubEfiVersion(ctx);
  const key = createHash('sha256')
    .update(JSON.stringify({ grubVersion, grubCfg, modules: GRUB_EFI_MODULES }))
    .digest('hex');
  const cached = join(ctx.cacheDir, 'efi', `BOOTX64-${key.slice(0, 16)}.EFI`);
  if (await stat(cached).catch(() => undefined)) {
    ctx.progress(`reusing cached BOOTX64.EFI (GRUB ${grubVersion})`);
    return { path: cached, grubVersion };
  }
  ctx.progress(`building BOOTX64.EFI with grub-mkstandalone (GRUB ${grubVersion})`);
  await mkdir(join(ctx.cacheDir, 'efi'), { recursive: true });
  await withScratchFolder(cached, async (tempDir) => {
    const cfgFile = join(tempDir, 'grub.cfg');
    await writeFile(cfgFile, grubCfg);
    const output = join(tempDir, 'BOOTX64.EFI');
    await ctx.exec('grub-mkstandalone', mkstandaloneArgs(output, cfgFile), { cancelSignal: ctx.signal });
    await moveIntoPlace(output, cached);
  });
  return { path: cached, grubVersion };
}

function mkstandaloneArgs(output: string, cfgFile: string): string[] {
  const modules = GRUB_EFI_MODULES.join(' ');
  return [
    '-O',
    'x86_64-efi',
    '-o',
    output,
    // Only these modules in the memdisk: the default (all of them) is ~8 MB more.
    `--modules=${modules}`,
    `--install-modules=${modules}`,
    '--locales=',
    '--fonts=',
    '--themes=',
    `boot/grub/grub.cfg=${cfgFile}`,
  ];
}

/** The installed grub-efi-amd64-bin version; its absence is the usual cause of failure. */
async function grubEfiVersion(ctx: BuildContext): Promise<string> {
  const missing = fail('grubEfiMissing', { pkg: GRUB_PACKAGE });
  if (!(await stat(GRUB_PLATFORM_DIR).catch(() => undefined))) throw missing;
  try {
    const { stdout } = await ctx.exec('dpkg-query', ['-W', '-f=${Version}', GRUB_PACKAGE], { cancelSignal: ctx.signal });
    return stdout.trim();
  } catch {
    throw missing;
  }
}
