/**
 * Where the kernel's view of block devices is read from. Everything in
 * src/devices reads through these roots, never through fixed paths, so tests
 * can present a fake stick, a SATA disk or a mounted system disk as plain
 * folders and symlinks.
 */
export interface SystemRoots {
  /** sysfs: /sys */
  sys: string;
  /** procfs: /proc (self/mountinfo, swaps) */
  proc: string;
  /** udev's database: /run/udev/data (serial numbers the kernel does not expose) */
  udev: string;
}

export const HOST_ROOTS: SystemRoots = { sys: '/sys', proc: '/proc', udev: '/run/udev/data' };

/** A drive target is a device node, or any path under /dev (which must be one). */
export function looksLikeDevicePath(path: string): boolean {
  return path.startsWith('/dev/') && !path.startsWith('/dev/shm/');
}
