import { defineErrors } from './entry.js';
import { BUG_HINT, installHint } from './hints.js';

// SYSLINUX's MBR code and COM32 modules both come from this package.
const SYSLINUX_COMMON_HINT = installHint('syslinux-common');

/** Boot records and images of the media (ISO El Torito, ESP, graft lists). */
export const mediaErrors = defineErrors({
  winpeElToritoImageMissing: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The WinPE boot image lacks an El Torito image',
    message: (a: { path: string }) => `The WinPE boot image lacks ${a.path}, which the ISO needs as its El Torito boot image.`,
    hint: "Publish the boot image with the Windows ADK's etfsboot.com and efisys.bin (Oscdimg folder) at boot/etfsboot.com and efi/microsoft/boot/efisys.bin.",
  },
  bootFileNotOnMedia: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'A boot file is not on the media',
    message: (a: { platform: string; path: string }) =>
      `The ${a.platform} boot description names ${a.path}, which is not a file of the media, so the ISO cannot boot from it.`,
    hint: 'Publish the boot image with that file, or fix the platform plugin so it names only files the media carry.',
  },
  graftPathUnsupported: {
    code: 'NAME_UNSUPPORTED',
    title: 'A path xorriso cannot be given',
    message: (a: { path: string }) =>
      `${a.path} holds a line break, which cannot be written into xorriso's list of files to put on the ISO.`,
    hint: 'Rename the file (or move the cache / staging folder to a path without line breaks).',
  },
  isoSizeUnreadable: {
    code: 'TOOL_FAILED',
    title: 'xorriso printed no size',
    message: (a: { output: string }) => `xorriso -print-size printed no size: ${a.output}`,
    hint: 'Run again with --verbose and report the output: the installed xorriso may be too old or too new.',
  },
  winpeBootFilesMissing: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The WinPE boot image lacks boot files',
    message: (a: { absent: readonly string[] }) => `The WinPE boot image lacks files it needs to boot: ${a.absent.join(', ')}.`,
    hint: "Publish the whole boot image folder: sources/boot.wim plus the Windows ADK media files (bootmgr, boot/, efi/) and oscdimg's etfsboot.com and efisys.bin.",
  },
  winpeBootWimUnreadable: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The WinPE boot.wim is not readable',
    message: (a: { path: string; packageId: string; reason: string }) =>
      `${a.path} of the boot image ${a.packageId} is not a WIM file wimlib can read (wimlib: ${a.reason}).`,
    hint: 'Publish the boot image again from an intact boot.wim; `wimlib-imagex verify boot.wim` checks one.',
  },
  winpeBootWimNotWhole: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The WinPE boot.wim is not one whole image',
    message: (a: { path: string; packageId: string; imageCount: number; partNumber: string }) =>
      `${a.path} of the boot image ${a.packageId} is ${a.imageCount < 1 ? 'a WIM without images' : `part ${a.partNumber} of a split WIM`}: WinPE boots from one whole image.`,
    hint: 'Publish the boot image with a single-part boot.wim (`wimlib-imagex optimize` or `export` makes one).',
  },
  winpeSyslinuxModuleMissing: {
    code: 'TOOL_MISSING',
    title: 'A SYSLINUX module for WinPE is missing',
    message: (a: { path: string }) => `${a.path} is missing, so the USB medium cannot start WinPE by BIOS.`,
    hint: SYSLINUX_COMMON_HINT,
  },
  mbrBootCodeMissing: {
    code: 'TOOL_MISSING',
    title: "SYSLINUX's MBR boot code is missing",
    message: (a: { source: string }) => `${a.source} is missing, so the image cannot boot BIOS machines.`,
    hint: SYSLINUX_COMMON_HINT,
  },
  mbrBootCodeTooLarge: {
    code: 'TOOL_FAILED',
    title: "SYSLINUX's MBR boot code is too large",
    message: (a: { source: string; bytes: number; maxBytes: number }) =>
      `${a.source} is ${a.bytes} bytes; MBR boot code must fit in ${a.maxBytes}.`,
    hint: 'Reinstall syslinux-common: the file looks damaged.',
  },
  usbBootUnsupported: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The boot image platform cannot boot from USB',
    message: (a: { platform: string }) => `The ${a.platform} boot image platform cannot boot from USB media in this version.`,
    hint: 'Build an ISO instead (media.type: "iso").',
  },
  usbBootFileMissing: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The boot image lacks a file USB media boot from',
    message: (a: { path: string }) => `The boot image lacks ${a.path}, which USB media need to boot.`,
    hint: 'Rebuild it with `capmedia bootimage create` and publish it again.',
  },
  usbMediaEntryMissing: {
    code: 'INTERNAL',
    title: 'USB media packed without their media entry',
    message: () => 'Internal error: USB media are packed without their media entry (PackInput.media).',
    hint: BUG_HINT,
  },
  fat32FileTooLarge: {
    code: 'FILE_TOO_LARGE',
    title: 'A file is too large for FAT32',
    // wims and splitLargeFiles choose the hint.
    message: (a: { limit: string; files: readonly string[]; wims: boolean; splitLargeFiles: boolean }) =>
      `FAT32 cannot hold files of ${a.limit} or more, and the media would carry ${a.files.length === 1 ? 'this one' : `these ${a.files.length}`}: ${a.files.join(', ')}. Nothing was written.`,
    hint: (a: { wims: boolean; splitLargeFiles: boolean }) =>
      a.wims
        ? 'Set media.splitLargeFiles: true to split .wim files into .swm parts (Windows Setup and DISM read them), build an ISO instead (media.type: "iso"), or take the files out of the package.'
        : `Only .wim files can be split (into .swm parts)${a.splitLargeFiles ? '' : ' with media.splitLargeFiles'}; build an ISO instead (media.type: "iso"), or take these files out of the package.`,
  },
  fat32WimPartTooLarge: {
    code: 'FILE_TOO_LARGE',
    title: 'A WIM cannot be split small enough for FAT32',
    message: (a: { path: string; parts: string }) =>
      `${a.path} cannot be split into parts FAT32 can hold: one resource inside it is too large, so ${a.parts} exceeds the limit. Nothing was written.`,
    hint: 'wimlib never cuts a single file stream; recapture the image with stronger compression (--compress=LZX or LZMS), build an ISO (media.type: "iso"), or leave this file out.',
  },
  imageSizeTooSmall: {
    code: 'MEDIA_TOO_SMALL',
    title: 'media.imageSize is too small for the content',
    message: (a: { imageSize: string; needed: string; neededMiB: number }) =>
      `media.imageSize (${a.imageSize}) is too small: the content and a FAT32 file system need ${a.needed}.`,
    hint: (a: { neededMiB: number }) =>
      `Raise media.imageSize to at least ${a.neededMiB}MiB, or leave it out to size the image to the content.`,
  },
  imageBeyondFat32: {
    code: 'MEDIA_TOO_SMALL',
    title: 'The image would be larger than FAT32 allows',
    message: (a: { size: string }) => `The image would be ${a.size}; FAT32 with 512-byte sectors ends at 2 TiB.`,
    hint: 'Carry less content, or split it over several media.',
  },
  fatImageFull: {
    code: 'MEDIA_TOO_SMALL',
    title: 'The FAT32 volume of the image filled up',
    message: (a: { imageBytes: number }) => `The FAT32 volume filled up: the content does not fit in an image of ${a.imageBytes} bytes.`,
    hint: 'Raise media.imageSize, or leave it out to size the image to the content.',
  },
  folderTooSmall: {
    code: 'MEDIA_TOO_SMALL',
    title: 'The stick has not enough free space',
    message: (a: { folder: string; free: string; needed: string }) =>
      `${a.folder} has ${a.free} free, but the media files need ${a.needed} more.`,
    hint: 'Free space on the stick, or use a larger one.',
  },
  folderCannotBeFormatted: {
    code: 'USAGE',
    title: 'A folder cannot be formatted',
    message: (a: { output: string }) =>
      `media.device ${JSON.stringify(a.output)} is a folder, and media.format is true: a folder cannot be partitioned and formatted.`,
    hint: 'For a disk image give a file path (e.g. out/capture.img); for a stick give the drive (/dev/sdX); to copy onto a mounted FAT32 stick set media.format: false.',
  },
  folderNotVolumeRoot: {
    code: 'NOT_FAT32',
    title: 'The folder is not the root of a volume',
    message: (a: { folder: string; mountPoint?: string }) =>
      `${a.folder} is not the root of a mounted volume${a.mountPoint ? ` (it is inside ${a.mountPoint})` : ''}: boot loaders are only found at a volume's root.`,
    hint: 'Set media.device to the folder where the FAT32 stick is mounted (e.g. /media/user/STICK), or to the drive (/dev/sdX).',
  },
  folderNotFat: {
    code: 'NOT_FAT32',
    title: 'The mounted volume is not FAT',
    message: (a: { folder: string; fsType: string }) =>
      `${a.folder} is a ${a.fsType} volume, not FAT32: with media.format: false capmedia only copies onto FAT32.`,
    hint: 'Format the stick FAT32, or set media.format: true and media.device to the drive (/dev/sdX).',
  },
  existingTargetMissing: {
    code: 'NOT_FAT32',
    title: 'The image or drive to copy onto does not exist',
    message: (a: { output: string }) =>
      `${a.output} does not exist: with media.format: false capmedia copies onto an existing FAT32 image or drive.`,
    hint: 'Set media.format: true to create the image, or point media.device at an existing one.',
  },
  noFatPartition: {
    code: 'NOT_FAT32',
    title: 'No FAT partition to copy onto',
    message: (a: { file: string; types: readonly string[] }) =>
      `${a.file} has no FAT partition (partition types: ${a.types.join(', ')}), so there is nothing to copy onto.`,
    hint: 'Leave media.format at true to partition and format it, or prepare a FAT32 partition first.',
  },
  volumeNotFat32: {
    code: 'NOT_FAT32',
    title: 'The volume is not FAT32',
    message: (a: { what: string; found: string }) =>
      `${a.what} holds ${a.found}, not FAT32: with media.format: false capmedia only copies onto an existing FAT32 volume.`,
    hint: 'Set media.format: true to partition and format it as FAT32 (everything on it is erased), or format it FAT32 yourself.',
  },
  driveNotConfirmed: {
    code: 'NOT_CONFIRMED',
    title: 'Writing to the drive was not confirmed',
    message: (a: { drive: string }) => `Nothing was written to ${a.drive}: writing to a drive needs a confirmation.`,
    hint: 'Run again with --yes to confirm, or from a terminal to be asked.',
  },
  driveNotCheckedBeforePublish: {
    code: 'NOT_CONFIRMED',
    title: 'The drive was not checked before publishing',
    message: (a: { output: string }) => `${a.output} was not checked and confirmed before the build, so it is not written.`,
    hint: "This is an internal error: the media type's checkTarget must run before publish.",
  },
  driveChanged: {
    code: 'DEVICE_REFUSED',
    title: 'The drive changed since it was confirmed',
    message: (a: { output: string; disk: string }) =>
      `The drive at ${a.output} changed since it was confirmed (now ${a.disk}), so it was not written.`,
    hint: 'Plug in the stick you meant and build again.',
  },
});
