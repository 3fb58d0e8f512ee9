import { realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { fail } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { mountOf, readMounts, readSwapDevices, type Mount } from './mounts.js';
import type { SystemRoots } from './roots.js';
import { disksOf, readBlockTarget, type BlockTarget, type Disk } from './sysfs.js';

/** Everything the safety rules look at, gathered once. */
export interface DeviceFacts {
  /** The path as configured, e.g. /dev/sdb or /dev/disk/by-id/usb-… */
  path: string;
  target: BlockTarget;
  /** Mounted file systems on the disk or its partitions. */
  mounted: Array<{ name: string; mountPoint: string }>;
  /** Partitions (or the disk) in use as swap. */
  swap: string[];
  /** A system mount point (/, /boot, /usr …) living on this disk. */
  systemMount?: string;
  /** Protected paths (staging, cache, config folder) living on this disk. */
  protectedHits: string[];
}

const SYSTEM_MOUNT_POINTS = new Set(['/', '/boot', '/boot/efi', '/efi', '/usr', '/var', '/home']);

export async function inspectDevice(roots: SystemRoots, path: string, protectedPaths: readonly string[]): Promise<DeviceFacts> {
  const name = basename(await realpath(path).catch(() => path));
  const target = await readBlockTarget(roots, name);
  if (!target) {
    throw fail('deviceUnknown', { path, name });
  }
  const { disk } = target;
  const names = new Set([disk.name, ...disk.partitions.map((p) => p.name)]);
  const devnos = new Set([disk.devno, ...disk.partitions.map((p) => p.devno)]);
  const mounts = await readMounts(roots);
  const onDisk = (m: Mount) => devnos.has(m.devno) || names.has(basename(m.source));
  const diskHolds = async (m: Mount) => onDisk(m) || (await disksOfMount(roots, m)).includes(disk.name);
  const systemMount = (
    await filterAsync(
      mounts.filter((m) => SYSTEM_MOUNT_POINTS.has(m.mountPoint)),
      diskHolds,
    )
  )[0]?.mountPoint;
  const protectedHits: string[] = [];
  for (const protectedPath of protectedPaths) {
    const mount = await mountOf(mounts, protectedPath);
    if (mount && (await diskHolds(mount))) protectedHits.push(protectedPath);
  }
  return {
    path,
    target,
    mounted: mounts.filter(onDisk).map((m) => ({ name: nameOf(m, disk), mountPoint: m.mountPoint })),
    swap: (await readSwapDevices(roots)).filter((n) => names.has(n)),
    systemMount,
    protectedHits,
  };
}

async function disksOfMount(roots: SystemRoots, mount: Mount): Promise<string[]> {
  const disks = await disksOf(roots, mount.devno);
  if (disks.length || !mount.source.startsWith('/dev/')) return disks;
  // btrfs and friends report an anonymous device number: fall back to the source's name.
  const target = await readBlockTarget(roots, basename(await realpath(mount.source).catch(() => mount.source)));
  return target ? [target.disk.name] : [];
}

async function filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const flags = await Promise.all(items.map(keep));
  return items.filter((_, i) => flags[i]);
}

function nameOf(mount: Mount, disk: Disk): string {
  const byDevno = [disk, ...disk.partitions].find((d) => d.devno === mount.devno);
  return byDevno?.name ?? basename(mount.source);
}

/** "SanDisk Cruzer Blade, 14.3 GiB, serial 4C530001, usb" — what the user needs to recognise the drive. */
export function describeDisk(disk: Disk): string {
  const size = formatBytes(disk.sizeBytes).replace(/ \(.*\)$/, '');
  return [
    disk.model ?? 'unknown model',
    size,
    disk.serial ? `serial ${disk.serial}` : 'no serial number',
    disk.transport ?? 'unknown bus',
  ].join(', ');
}
