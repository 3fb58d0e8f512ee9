import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeEspImage, type FatFile } from '../../tools/fat.js';
import type { BootPlatform } from './types.js';

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
  // GRUB EFI for UEFI; SYSLINUX (installed by the packer with the host's syslinux) for BIOS.
  fatBoot: { uefiLoader: LAYOUT.uefiLoader, syslinuxDirectory: 'syslinux' },
  async isoBootArgs({ treeDir, workDir, exec, env }) {
    const esp = join(workDir, 'efiboot.img');
    await writeEspImage({
      output: esp,
      label: 'EFIBOOT',
      files: await efiFiles(treeDir),
      exec,
      env,
    });
    return [
      '-eltorito-boot',
      LAYOUT.isolinux,
      '-eltorito-catalog',
      'isolinux/boot.cat',
      '-no-emul-boot',
      '-boot-load-size',
      '4',
      '-boot-info-table',
      '-isohybrid-mbr',
      join(treeDir, LAYOUT.hybridMbr),
      '-partition_offset',
      '16',
      '-append_partition',
      '2',
      '0xef',
      esp,
      '-eltorito-alt-boot',
      '-e',
      '--interval:appended_partition_2:all::',
      '-no-emul-boot',
    ];
  },
};

/**
 * Everything under EFI/ goes into the ESP: shim starts grubx64.efi from the
 * ESP, and the signed GRUB reads EFI/debian/grub.cfg from the device it came
 * from (the ESP on a USB stick; on a CD the firmware's El Torito device, which
 * GRUB reads as the ISO 9660 tree — so the same files stay in the tree too).
 */
async function efiFiles(treeDir: string): Promise<FatFile[]> {
  const entries = await readdir(join(treeDir, 'EFI'), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(treeDir, join(entry.parentPath, entry.name)))
    .sort()
    .map((target) => ({ source: join(treeDir, target), target }));
}
