/** Which Debian package provides each external program, for "install X" hints. */
const PACKAGE_BY_TOOL: Record<string, string> = {
  xorriso: 'xorriso',
  'mkfs.fat': 'dosfstools',
  'fsck.fat': 'dosfstools',
  mcopy: 'mtools',
  mmd: 'mtools',
  mdir: 'mtools',
  mlabel: 'mtools',
  mdel: 'mtools',
  mattrib: 'mtools',
  blockdev: 'util-linux',
  losetup: 'util-linux',
  mkfifo: 'coreutils',
  mtype: 'mtools',
  sfdisk: 'fdisk',
  syslinux: 'syslinux',
  'wimlib-imagex': 'wimtools',
  'grub-mkstandalone': 'grub-common (plus grub-efi-amd64-bin)',
  'grub-mkimage': 'grub-common (plus grub-pc-bin)',
  'qemu-system-x86_64': 'qemu-system-x86',
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-query': 'dpkg',
  xz: 'xz-utils',
  zstd: 'zstd',
  setpriv: 'util-linux',
  'dpkg-deb': 'dpkg',
  depmod: 'kmod',
  modprobe: 'kmod',
  cpio: 'cpio',
  nginx: 'nginx',
  openssl: 'openssl',
};

export function toolPackage(tool: string): string | undefined {
  return PACKAGE_BY_TOOL[tool.split('/').at(-1) ?? tool];
}
