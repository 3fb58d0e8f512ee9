import { defineErrors } from './entry.js';
import { installHint } from './hints.js';

/** Building the linux boot image (bootimage/): apt, kernel, agent, Secure Boot. */
export const bootImageErrors = defineErrors({
  caCertificatesMissing: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'No CA certificates for the agent',
    message: (a: { pkg: string; folder: string }) =>
      `The ${a.pkg} package holds no certificates in /${a.folder}, so https destinations could not be verified.`,
    hint: 'Run apt-get update and build the boot image again.',
  },
  initramfsEntryUnsupported: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'An initramfs entry of an unsupported kind',
    message: (a: { source: string }) => `The initramfs tree holds ${a.source}, which is neither a file, a folder nor a symlink.`,
  },
  initramfsFileChanged: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'A file changed while the initramfs was written',
    message: (a: { source: string }) => `${a.source} changed size while the initramfs was being written.`,
  },
  kernelPackageUnknown: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'The kernel of a meta package is unknown',
    message: (a: { metaPackage: string }) => `Cannot tell which kernel ${a.metaPackage} installs: it depends on no linux-image package.`,
    hint: 'Pass the kernel package explicitly (kernelPackage, e.g. linux-image-6.1.0-56-amd64).',
  },
  aptListsEmpty: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'The apt package lists are empty',
    message: () => 'The apt package lists are empty, so the kernel and busybox packages cannot be found or downloaded.',
    hint: 'Run "sudo apt-get update" once, then build the boot image again.',
  },
  debNotDownloadable: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'A Debian package cannot be downloaded',
    message: (a: { name: string }) => `apt knows ${a.name} but has no downloadable version of it.`,
    hint: 'Run apt-get update so apt knows where to download it from.',
  },
  debUnknown: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'apt does not know a package',
    message: (a: { names: string }) => `apt does not know the Debian package ${a.names}.`,
    hint: 'Check the name (apt-cache search linux-image) and run apt-get update.',
  },
  debHashMismatch: {
    code: 'HASH_MISMATCH',
    title: 'A downloaded Debian package is damaged',
    message: (a: { pkg: string }) => `The downloaded ${a.pkg} does not match the SHA256 of the Debian archive index.`,
    hint: 'Run apt-get update and try again; if it persists, the mirror is serving a bad file.',
  },
  agentDebUnknown: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'apt does not know a package the agent needs',
    message: (a: { name: string }) => `apt does not know the Debian package ${a.name}, which the capture agent needs.`,
    hint: 'Run apt-get update; the package lists may be out of date.',
  },
  notElf64: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'Not a 64-bit ELF file',
    message: (a: { name: string }) => `${a.name} is not a 64-bit little-endian ELF file, so it cannot run in the x64 boot image.`,
  },
  grubEfiMissing: {
    code: 'TOOL_MISSING',
    title: 'GRUB for UEFI is not installed',
    message: (a: { pkg: string }) => `GRUB for UEFI (${a.pkg}) is not installed, so BOOTX64.EFI cannot be built.`,
    hint: (a: { pkg: string }) => installHint(`${a.pkg} grub-common`),
  },
  bootImageArchUnsupported: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'Unsupported boot image architecture',
    message: (a: { arch: string; supported: string }) => `Cannot build a linux boot image for architecture "${a.arch}".`,
    hint: (a: { supported: string }) => `Supported architectures: ${a.supported}.`,
  },
  sourceDateEpochInvalid: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'SOURCE_DATE_EPOCH is not valid',
    message: (a: { epoch: number }) => `SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to 4294967295, not "${a.epoch}".`,
  },
  bootImageCancelled: {
    code: 'CANCELLED',
    title: 'Building the boot image was cancelled',
    message: (a: { outDir: string }) => `Building the boot image was cancelled; ${a.outDir} is unchanged.`,
  },
  bootImageFailed: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'Building the boot image failed',
    message: (a: { outDir: string; reason: string }) => `Building the boot image ${a.outDir} failed: ${a.reason}`,
    hint: 'The previous boot image folder, if any, is unchanged. Re-run with --verbose for details.',
  },
  kernelCountWrong: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'Not exactly one kernel in the package',
    message: (a: { kernelPackage: string; count: number }) =>
      `${a.kernelPackage} holds ${a.count === 0 ? 'no kernel' : `${a.count} kernels`} in /boot; a boot image needs exactly one.`,
    hint: 'Pass a kernel image package (linux-image-<version>-amd64), not a meta, headers or debug package.',
  },
  agentLibraryMissing: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'A library the agent needs is missing',
    message: (a: { what: string; neededBy: string }) =>
      `The capture agent needs ${a.what} (for ${a.neededBy}), but none of the Debian packages fetched for it contains it.`,
    hint: 'Run apt-get update and build the boot image again; if it persists, the package names in src/bootimage/agent.ts need updating for this Debian release.',
  },
  kernelModulesMissing: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'The kernel package has no modules',
    message: (a: { kernelVersion: string }) => `The kernel package has no modules folder for ${a.kernelVersion}.`,
    hint: 'Use a linux-image-<version>-amd64 package; it must ship /lib/modules/<version>.',
  },
  kernelDriverMissing: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'The kernel lacks a needed driver',
    message: (a: { kernelVersion: string }) => `The kernel ${a.kernelVersion} lacks a driver the boot image needs.`,
    hint: 'Use the generic kernel (linux-image-<version>-amd64): the cloud kernel has no AHCI, USB storage or e1000 drivers.',
  },
  unsignedEfiImage: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'A UEFI image is not signed',
    message: (a: { what: string; problem: string; fix: string }) =>
      `${a.what} is ${a.problem}, so firmware with Secure Boot on would refuse it.`,
    hint: (a: { fix: string }) => `${a.fix}, or build a boot image without Secure Boot (capmedia bootimage create --no-secure-boot).`,
  },
  unsignedKernelModules: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'Kernel modules are not signed',
    message: (a: { unsigned: string }) => `Kernel modules without a signature would not load under Secure Boot: ${a.unsigned}.`,
    hint: 'Use the signed linux-image-<version>-amd64 package, or build a boot image without Secure Boot (--no-secure-boot).',
  },
  syslinuxFileMissing: {
    code: 'TOOL_MISSING',
    title: 'A SYSLINUX file is missing',
    message: (a: { source: string; debianPackage: string }) => `${a.source} is missing, so the boot image cannot boot BIOS machines.`,
    hint: (a: { debianPackage: string }) => installHint(a.debianPackage),
  },
  syslinuxReleaseMismatch: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'ISOLINUX and syslinux-common differ',
    message: (a: { isolinux: string; common: string }) =>
      `isolinux ${a.isolinux} and syslinux-common ${a.common} are different releases; ISOLINUX would refuse ldlinux.c32.`,
    hint: 'Upgrade both to the same version: apt-get install isolinux syslinux-common.',
  },
  templatePlaceholderUnknown: {
    code: 'BOOT_IMAGE_BUILD_FAILED',
    title: 'A template uses an unknown placeholder',
    message: (a: { name: string; left: string }) => `The template ${a.name} uses ${a.left}, which capmedia does not fill in.`,
    hint: 'The templates/linux folder does not match this version of capmedia; reinstall capmedia.',
  },
});
