import type { Exec } from '../../tools/exec.js';
import type { IsoBoot, IsoBootInput } from './description.js';

export type { ElToritoEntry, EspImage, IsoBoot, IsoBootInput, SystemArea } from './description.js';

export interface FatTreeInput {
  /** The staged media tree; its files may be hard links to shared blobs, so replace files, never write into them. */
  treeDir: string;
  /** SOURCE_DATE_EPOCH: the time files added to the tree get. */
  epoch: number;
}

/** How a FAT32 USB medium boots this platform (paths relative to the media root). */
export interface FatBoot {
  /** The UEFI removable-media loader the firmware starts, e.g. "EFI/BOOT/BOOTX64.EFI". */
  uefiLoader: string;
  /** BIOS: the folder holding syslinux.cfg, where SYSLINUX is installed. Absent: UEFI only. */
  syslinuxDirectory?: string;
  /**
   * Adds boot files only FAT media need to the staged tree before it is
   * copied (WinPE: SYSLINUX's chain.c32 and a syslinux.cfg that starts bootmgr).
   */
  addToTree?(input: FatTreeInput): Promise<void>;
}

/** One file of the media: where it goes and which stored blob holds it. */
export interface MediaFile {
  target: string;
  sha256: string;
  size: number;
  packageId: string;
}

export interface PrepareContentInput {
  /** Every file of the media, the generated task sequence files included. */
  files: readonly MediaFile[];
  /** Where a stored blob can be read (never write to it: blobs are shared). */
  blobPath(sha256: string): string;
  /** Stores a file the platform made (e.g. a modified boot.wim) and returns its blob identity. */
  storeFile(path: string): Promise<{ sha256: string; size: number }>;
  /** Scratch space, removed after the stage step. */
  workDir: string;
  exec: Exec;
  env: Record<string, string>;
  /** SOURCE_DATE_EPOCH of this build: the time files the platform makes get. */
  sourceDateEpoch: number;
  notice(message: string): void;
}

/**
 * How a loader that starts the kernel itself boots this platform: iPXE,
 * PXELINUX or GRUB over the network, or QEMU's -kernel. Paths are relative to
 * the boot image package (the media root).
 */
export interface KernelBoot {
  kernel: string;
  initrd: string;
  /** The kernel command line the platform's own boot menus use. */
  cmdline: string;
  /**
   * Booting without a medium: the media files (task sequence, content) are
   * handed over as one more initrd holding them under `folder`, and `cmdline`
   * is added to the kernel command line so the boot image finds them there.
   */
  mediaInitrd: { folder: string; cmdline: string };
}

/** A boot image platform: what its package must hold and how media boot it. */
export interface BootPlatform {
  name: string;
  /** Paths the boot image package must carry; checked at resolve. */
  requiredFiles: readonly string[];
  /**
   * True when the platform's boot files are found whatever their case (Windows:
   * bootmgr, FAT and Joliet ignore it): requiredFiles and loaders match any
   * spelling, and the package's own spelling is kept.
   */
  caseInsensitivePaths?: boolean;
  /** The hint when a boot image package lacks requiredFiles: how to make a complete one. */
  incompleteHint: string;
  /** How an ISO of these files boots by BIOS and UEFI, as CD and as USB stick: data, never tool arguments. */
  isoBoot(input: IsoBootInput): IsoBoot;
  /** How loaders that start the kernel directly boot it; absent: the platform has no kernel of its own to start (WinPE). */
  kernelBoot?: KernelBoot;
  /** What a FAT32 USB medium needs to boot; absent: this platform cannot boot from USB media. */
  fatBoot?: FatBoot;
  /**
   * Changes the staged file list before packing (e.g. WinPE: inject the task
   * sequence into sources/boot.wim). Runs in the stage step; bump `version`
   * when its output changes, since it is part of the stage key.
   */
  prepareContent?(input: PrepareContentInput): Promise<MediaFile[]>;
  /** Part of the stage key: change it when prepareContent's output would change. */
  version?: string;
  /**
   * The platform for a boot image of this architecture (bootImage.arch), when
   * its files and boot records depend on it (WinPE: bootia32.efi, bootx64.efi,
   * bootaa64.efi; no BIOS on arm64). Absent: the same for every architecture.
   */
  forArch?(arch: 'x86' | 'x64' | 'arm64'): BootPlatform;
}
