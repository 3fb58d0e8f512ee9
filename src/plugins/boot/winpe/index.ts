import { fail } from '../../../errors/index.js';
import type { BootPlatform, IsoBoot, IsoBootInput } from '../types.js';
import { injectTaskSequence } from './inject.js';
import { EFISYS_NOPROMPT, findEntry, requiredPaths, winpeLayout, type WinpeArch, type WinpeLayout } from './layout.js';
import { SYSLINUX_DIRECTORY, addChainloader } from './syslinux.js';

/**
 * Configuration Manager / Windows ADK boot images: sources/boot.wim started by
 * Windows Boot Manager. The task sequence is injected into boot.wim at stage
 * (prepareContent); the ISO boots as oscdimg's
 * `-bootdata:2#p0,e,bEtfsboot.com#pEF,e,bEfisys.bin` makes it (arm64, which
 * has no BIOS: `-bootdata:1#pEF,e,bEfisys.bin`); FAT32 USB media boot the
 * architecture's UEFI loader, and x86/x64 bootmgr through SYSLINUX by BIOS.
 */
export function createWinpePlatform(arch: WinpeArch): BootPlatform {
  const layout = winpeLayout(arch);
  const bios = layout.bootmgr !== undefined;
  return {
    name: 'winpe',
    incompleteHint: 'Publish the complete boot image folder (the Windows ADK media files and sources/boot.wim) again.',
    // Bump when the injected boot.wim would come out different (part of the stage key).
    version: '1',
    requiredFiles: requiredPaths(layout),
    caseInsensitivePaths: true,
    fatBoot: {
      uefiLoader: layout.uefiLoader,
      ...(bios ? { syslinuxDirectory: SYSLINUX_DIRECTORY, addToTree: addChainloader } : {}),
    },
    isoBoot: (input) => winpeIsoBoot(layout, input),
    prepareContent: (input) => injectTaskSequence(input, layout),
    forArch: (wanted) => createWinpePlatform(wanted),
  };
}

/** Registered as x64, the usual WinPE; resolve asks for the boot image's own architecture (forArch). */
export const winpePlatform: BootPlatform = createWinpePlatform('x64');

/**
 * El Torito as oscdimg writes it: entry 1 for BIOS (platform 0, etfsboot.com,
 * no emulation, 8 sectors), entry 2 for UEFI (platform 0xEF, efisys.bin, no
 * emulation); arm64 media have the UEFI entry only. No hybrid MBR or GPT
 * (Windows media have none) and no visible boot catalog file (oscdimg writes none).
 */
function winpeIsoBoot(layout: WinpeLayout, { files, notice }: IsoBootInput): IsoBoot {
  const bios = layout.etfsboot && requireFile(files, layout.etfsboot);
  const noprompt = findEntry(files, EFISYS_NOPROMPT)?.target;
  const uefi = noprompt ?? requireFile(files, layout.efisys);
  if (noprompt) notice?.(`UEFI boots ${noprompt}: the medium starts without "Press any key to boot from CD or DVD"`);
  const uefiEntry = { platform: 'uefi', image: uefi } as const;
  return {
    catalog: { path: 'boot.catalog', hidden: true },
    entries: bios ? [{ platform: 'bios', image: bios, loadSectors: 8 }, uefiEntry] : [uefiEntry],
  };
}

function requireFile(files: IsoBootInput['files'], path: string): string {
  const found = findEntry(files, path);
  if (found) return found.target;
  throw fail('winpeElToritoImageMissing', { path });
}
