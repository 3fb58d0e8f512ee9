import type { Exec } from '../../tools/exec.js';

export interface IsoBootInput {
  /** The staged media tree (boot image files at its root). */
  treeDir: string;
  /** Scratch space for images that go beside the tree (ESP). */
  workDir: string;
  exec: Exec;
  env: Record<string, string>;
}

/** How a FAT32 USB medium boots this platform (paths relative to the media root). */
export interface FatBoot {
  /** The UEFI removable-media loader the firmware starts, e.g. "EFI/BOOT/BOOTX64.EFI". */
  uefiLoader: string;
  /** BIOS: the folder holding syslinux.cfg, where SYSLINUX is installed. Absent: UEFI only. */
  syslinuxDirectory?: string;
}

/** A boot image platform: what its package must hold and how media boot it. */
export interface BootPlatform {
  name: string;
  /** Paths the boot image package must carry; checked at resolve. */
  requiredFiles: readonly string[];
  /** xorriso (mkisofs emulation) arguments that make the ISO boot by BIOS and UEFI. */
  isoBootArgs(input: IsoBootInput): Promise<string[]>;
  /** What a FAT32 USB medium needs to boot; absent: this platform cannot boot from USB media. */
  fatBoot?: FatBoot;
}
