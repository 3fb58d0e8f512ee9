/**
 * What the capture agent needs to write Windows volumes into WIM images
 * (templates/linux/agent-wim.sh), from Debian packages like the rest of the
 * tools archive. wimlib-imagex reads NTFS straight from the partition
 * through libntfs-3g; ntfscat and ntfsinfo read hiberfil.sys, the volume's
 * dirty flag and whether it holds Windows, without mounting anything.
 * With their libraries (libxml2 brings ICU, most of the weight) this adds
 * ~42 MB unpacked to the tools archive, not to the initramfs.
 */
export const WIM_PROGRAMS = [
  { package: 'wimtools', path: 'usr/bin/wimlib-imagex' },
  { package: 'ntfs-3g', path: 'bin/ntfscat' },
  { package: 'ntfs-3g', path: 'bin/ntfsinfo' },
] as const;
