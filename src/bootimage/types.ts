import type { Exec } from '../tools/exec.js';

/** Architectures the linux boot image can be built for. */
export const SUPPORTED_ARCHES = ['x64'] as const;
export type BootImageArch = (typeof SUPPORTED_ARCHES)[number];

export interface CreateBootImageOptions {
  arch: BootImageArch;
  /** Folder to (re)create; it is replaced only once the new image is complete. */
  outDir: string;
  /** Downloaded .debs and the cached BOOTX64.EFI, reused across runs. */
  cacheDir: string;
  /** Default: the package linux-image-amd64 currently depends on. */
  kernelPackage?: string;
  /**
   * Default true: Debian's signed chain (shim → GRUB → kernel), which boots
   * with UEFI Secure Boot on. false: an unsigned standalone GRUB, for firmware
   * that must not or cannot run shim; Secure Boot must then be off.
   */
  secureBoot?: boolean;
  /** mtime of every file in the image; default 0 (`capmedia bootimage create` passes $SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  exec?: Exec;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export type DriverClass = 'storage' | 'cdrom' | 'usb' | 'network' | 'filesystem';
export type DriverSet = Record<DriverClass, string[]>;

/** The capmedia-package.json of a linux boot image (SPEC §3, §5). */
export interface BootImagePackageMetadata {
  name: string;
  /** The Debian version of the kernel package, e.g. 6.1.192-2. */
  version: string;
  kind: 'bootimage';
  bootImage: {
    platform: 'linux';
    arch: BootImageArch;
    /** `uname -r` of the kernel, e.g. 6.1.0-56-amd64. */
    kernelVersion: string;
    drivers: DriverSet;
    uefi: UefiChainMetadata;
  };
}

/** Which UEFI boot chain the image carries, and from which Debian packages (name → version). */
export interface UefiChainMetadata {
  secureBoot: boolean;
  packages: Record<string, string>;
}

export interface BootImageResult {
  outDir: string;
  metadata: BootImagePackageMetadata;
}

/** What every build step needs: injected side effects plus the shared folders. */
export interface BuildContext {
  exec: Exec;
  progress: (message: string) => void;
  signal?: AbortSignal;
  cacheDir: string;
  /** Scratch folder for this build, removed at the end. */
  workDir: string;
  sourceDateEpoch: number;
  /** Secure Boot image: every kernel module must keep its signature (see signed.ts). */
  secureBoot?: boolean;
}
