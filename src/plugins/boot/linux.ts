import { KERNEL_CMDLINE } from '../../bootimage/layout.js';
import type { BootPlatform, IsoBoot, IsoBootInput } from './types.js';

const LAYOUT = {
  kernel: 'boot/vmlinuz',
  initrd: 'boot/initrd.img',
  uefiLoader: 'EFI/BOOT/BOOTX64.EFI',
  isolinux: 'isolinux/isolinux.bin',
  isolinuxLdlinux: 'isolinux/ldlinux.c32',
  hybridMbr: 'isolinux/isohdpfx.bin',
} as const;

/**
 * The open linux boot image: ISOLINUX for BIOS; for UEFI shim + signed GRUB
 * (Secure Boot) or a standalone GRUB. The ESP is
 * appended as partition 2 (archiso's layout) so the same file boots as a CD
 * (El Torito) and as a USB stick (isohybrid MBR + an EFI system partition).
 */
export const linuxPlatform: BootPlatform = {
  name: 'linux',
  requiredFiles: Object.values(LAYOUT),
  incompleteHint: 'Rebuild it with `capmedia bootimage create` and publish it again.',
  // /init looks for the task sequence in capmedia.media=<folder> before it scans block devices (templates/linux/init.sh).
  kernelBoot: {
    kernel: LAYOUT.kernel,
    initrd: LAYOUT.initrd,
    cmdline: KERNEL_CMDLINE,
    mediaInitrd: { folder: 'capmedia/media', cmdline: 'capmedia.media=/capmedia/media' },
  },
  // GRUB EFI for UEFI; SYSLINUX (installed by the packer with the host's syslinux) for BIOS.
  fatBoot: { uefiLoader: LAYOUT.uefiLoader, syslinuxDirectory: 'syslinux' },
  isoBoot: linuxIsoBoot,
};

function linuxIsoBoot({ files }: IsoBootInput): IsoBoot {
  return {
    catalog: { path: 'isolinux/boot.cat' },
    entries: [
      { platform: 'bios', image: LAYOUT.isolinux, loadSectors: 4, bootInfoTable: true },
      { platform: 'uefi', image: { esp: true } },
    ],
    esp: { label: 'EFIBOOT', files: efiFiles(files), placement: { appended: { partition: 2 } } },
    systemArea: { hybridMbr: LAYOUT.hybridMbr, partitionOffset: 16 },
  };
}

/**
 * Everything under EFI/ goes into the ESP: shim starts grubx64.efi from the
 * ESP, and the signed GRUB reads EFI/debian/grub.cfg from the device it came
 * from (the ESP on a USB stick; on a CD the firmware's El Torito device, which
 * GRUB reads as the ISO 9660 tree — so the same files stay in the tree too).
 */
function efiFiles(files: IsoBootInput['files']): string[] {
  return files
    .map((file) => file.target)
    .filter((target) => target.startsWith('EFI/'))
    .sort();
}
