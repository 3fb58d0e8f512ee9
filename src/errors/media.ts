import { defineErrors } from './entry.js';

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
});
