import type { DriverSet } from './types.js';

/**
 * Kernel modules put into the initramfs, by the class the package metadata
 * declares (SPEC R2). Their dependency closure is added automatically.
 * virtio_pci is the bus for both virtio_blk and virtio_net; it is listed once.
 */
export const X64_DRIVERS: DriverSet = {
  storage: ['ata_piix', 'ahci', 'sd_mod', 'virtio_pci', 'virtio_blk', 'virtio_scsi', 'nvme'],
  cdrom: ['sr_mod'],
  usb: ['xhci_pci', 'ehci_pci', 'ohci_pci', 'uhci_hcd', 'usb_storage', 'uas'],
  network: ['virtio_net', 'e1000', 'e1000e'],
  // nls_cp437/nls_ascii: Debian's vfat mounts with codepage 437 and iocharset ascii.
  filesystem: ['isofs', 'vfat', 'nls_cp437', 'nls_ascii', 'nls_utf8', 'ext4'],
};

/**
 * Not drivers of the target but what /init needs to describe the firmware:
 * efivarfs exposes the SecureBoot variable (a module in Debian's kernel).
 */
export const FIRMWARE_MODULES = ['efivarfs'];

export function allDriverModules(drivers: DriverSet): string[] {
  return Object.values(drivers).flat();
}

/**
 * Modules only the capture agent needs, shipped in its tools archive rather
 * than the initramfs (see agent.ts): network file systems for nfs:// and
 * smb:// destinations, exFAT for destination disks formatted by Windows.
 */
export const AGENT_MODULES = ['nfs', 'nfsv3', 'cifs', 'exfat'];

/** What the boot image declares it carries (R2): the initramfs drivers plus the agent's. */
export function declaredDrivers(drivers: DriverSet): DriverSet {
  return { ...drivers, filesystem: [...drivers.filesystem, ...AGENT_MODULES] };
}
