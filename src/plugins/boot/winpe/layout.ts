import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The architectures WinPE exists for (the same names as a package's bootImage.arch). */
export type WinpeArch = 'x86' | 'x64' | 'arm64';

/**
 * A WinPE boot image package as Configuration Manager and the Windows ADK lay
 * it out (the ADK's Media folder plus oscdimg's El Torito images). Windows
 * ignores case in these paths, so packages spell them in many ways
 * (`Boot/BCD`, `EFI/Microsoft/Boot/efisys.bin`): they are matched
 * case-insensitively and the package's spelling is kept.
 */
export interface WinpeLayout {
  bootWim: string;
  bootmgrEfi: string;
  bootSdi: string;
  /** The UEFI removable-media loader of the architecture (bootx64.efi, bootia32.efi, bootaa64.efi). */
  uefiLoader: string;
  uefiBcd: string;
  efisys: string;
  /** BIOS boot (x86 and x64 only: there is no BIOS on arm64): bootmgr, its BCD and the El Torito image. */
  bootmgr?: string;
  biosBcd?: string;
  etfsboot?: string;
}

const UEFI_LOADERS: Record<WinpeArch, string> = {
  x86: 'efi/boot/bootia32.efi',
  x64: 'efi/boot/bootx64.efi',
  arm64: 'efi/boot/bootaa64.efi',
};

const BIOS_FILES = { bootmgr: 'bootmgr', biosBcd: 'boot/bcd', etfsboot: 'boot/etfsboot.com' } as const;

/** What a WinPE package of an architecture carries: the ADK's Media folder of that architecture. */
export function winpeLayout(arch: WinpeArch): WinpeLayout {
  return {
    bootWim: 'sources/boot.wim',
    bootmgrEfi: 'bootmgr.efi',
    bootSdi: 'boot/boot.sdi',
    uefiLoader: UEFI_LOADERS[arch],
    uefiBcd: 'efi/microsoft/boot/bcd',
    efisys: 'efi/microsoft/boot/efisys.bin',
    ...(arch === 'arm64' ? {} : BIOS_FILES),
  };
}

/** Every path the layout names. */
export function requiredPaths(layout: WinpeLayout): string[] {
  return Object.values(layout).filter((path): path is string => typeof path === 'string');
}

/** The ADK's UEFI El Torito image without the "Press any key to boot from CD or DVD" prompt. */
export const EFISYS_NOPROMPT = 'efi/microsoft/boot/efisys_noprompt.bin';

/** etfsboot.com prompts for a key (BIOS) only when this file is on the medium. */
export const BIOS_PROMPT = 'boot/bootfix.bin';

/** Where capmedia puts the task sequence on the media (tasksequence/build.ts). */
export const MEDIA_TASK_SEQUENCE_FOLDER = 'sms/data/';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The entry of a file list at `path`, whatever its case. */
export function findEntry<T extends { target: string }>(files: readonly T[], path: string): T | undefined {
  return files.find((f) => f.target === path) ?? files.find((f) => same(f.target, path));
}

/** Required paths the list lacks in any spelling. */
export function missingPaths(present: readonly string[], required: readonly string[]): string[] {
  const lower = new Set(present.map((p) => p.toLowerCase()));
  return required.filter((path) => !lower.has(path.toLowerCase()));
}

/** `path` as the staged tree spells it ("/" separated, relative), or undefined when absent in every spelling. */
export async function findInTree(treeDir: string, path: string): Promise<string | undefined> {
  return searchTree(treeDir, path.split('/'), []);
}

/** The exact spelling first, then the others: a tree may hold both "boot" and "Boot". */
async function searchTree(treeDir: string, parts: readonly string[], found: readonly string[]): Promise<string | undefined> {
  if (parts.length === 0) return found.join('/');
  const [part, ...rest] = parts;
  const names = (await readdir(join(treeDir, ...found)).catch(() => [] as string[])).filter((n) => same(n, part)).sort();
  for (const name of [...names.filter((n) => n === part), ...names.filter((n) => n !== part)]) {
    const hit = await searchTree(treeDir, rest, [...found, name]);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
