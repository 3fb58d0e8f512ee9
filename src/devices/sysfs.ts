import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SystemRoots } from './roots.js';

/** A whole disk as sysfs describes it. */
export interface Disk {
  name: string;
  /** "major:minor" */
  devno: string;
  sizeBytes: number;
  readOnly: boolean;
  /** The kernel's "removable media" flag: 1 for card readers and most sticks, 0 on USB SSDs and hard disks. */
  removable: boolean;
  /** A parent device (USB port, hot-plug slot) says it can be unplugged: lsblk's HOTPLUG. */
  hotplug: boolean;
  /** How it is attached, from its place in the device tree: usb, sata, nvme, mmc, virtio, virtual. */
  transport?: string;
  model?: string;
  serial?: string;
  partitions: Array<{ name: string; devno: string; sizeBytes: number }>;
  /** Device-mapper / md devices built on the disk or its partitions (LVM, LUKS, RAID). */
  holders: string[];
}

/** What a device path points at: a disk, or a partition of one. */
export interface BlockTarget {
  name: string;
  devno: string;
  isPartition: boolean;
  sizeBytes: number;
  disk: Disk;
}

const read = (path: string) =>
  readFile(path, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The block device `name` (e.g. "sdb" or "sdb1"), or undefined when the kernel has none of that name. */
export async function readBlockTarget(given: SystemRoots, name: string): Promise<BlockTarget | undefined> {
  // Paths are compared with resolved ones below, so the root must be resolved too.
  const roots = { ...given, sys: await realpath(given.sys).catch(() => given.sys) };
  const sysPath = await realpath(join(roots.sys, 'class/block', name)).catch(() => undefined);
  if (!sysPath) return undefined;
  const isPartition = await exists(join(sysPath, 'partition'));
  const disk = await readDisk(roots, isPartition ? dirname(sysPath) : sysPath);
  return { name, devno: (await read(join(sysPath, 'dev'))) ?? '', isPartition, sizeBytes: await sizeOf(sysPath), disk };
}

async function readDisk(roots: SystemRoots, sysPath: string): Promise<Disk> {
  const devno = (await read(join(sysPath, 'dev'))) ?? '';
  const partitions = await listPartitions(sysPath);
  const holders = [sysPath, ...partitions.map((p) => join(sysPath, p.name))];
  return {
    name: basename(sysPath),
    devno,
    sizeBytes: await sizeOf(sysPath),
    readOnly: (await read(join(sysPath, 'ro'))) === '1',
    removable: (await read(join(sysPath, 'removable'))) === '1',
    hotplug: await isHotplug(roots, sysPath),
    transport: transportOf(roots, sysPath),
    model: await modelOf(sysPath),
    serial: (await read(join(sysPath, 'device/serial'))) || (await udevProperty(roots, devno, 'ID_SERIAL_SHORT')),
    partitions,
    holders: (await Promise.all(holders.map((dir) => readdir(join(dir, 'holders')).catch(() => [] as string[])))).flat().sort(),
  };
}

async function sizeOf(sysPath: string): Promise<number> {
  // sysfs counts 512-byte sectors whatever the drive's own sector size.
  return Number((await read(join(sysPath, 'size'))) ?? 0) * 512;
}

async function listPartitions(sysPath: string): Promise<Disk['partitions']> {
  const entries = await readdir(sysPath).catch(() => [] as string[]);
  const partitions: Disk['partitions'] = [];
  for (const entry of entries.sort()) {
    if (!(await exists(join(sysPath, entry, 'partition')))) continue;
    partitions.push({ name: entry, devno: (await read(join(sysPath, entry, 'dev'))) ?? '', sizeBytes: await sizeOf(join(sysPath, entry)) });
  }
  return partitions;
}

/** As lsblk: some ancestor in the device tree reports removable="removable" (a USB port, a hot-plug bay). */
async function isHotplug(roots: SystemRoots, sysPath: string): Promise<boolean> {
  const top = join(roots.sys, 'devices');
  for (let dir = dirname(sysPath); dir.startsWith(top) && dir !== top; dir = dirname(dir)) {
    if ((await read(join(dir, 'removable'))) === 'removable') return true;
  }
  return false;
}

/** The bus, from the disk's place in /sys/devices (lsblk's TRAN does the same). USB first: a USB-SATA bridge is USB. */
export function transportOf(roots: SystemRoots, sysPath: string): string | undefined {
  const path = sysPath.slice(roots.sys.length);
  const buses: Array<[RegExp, string]> = [
    [/\/usb\d*\//, 'usb'],
    [/\/nvme/, 'nvme'],
    [/\/mmc/, 'mmc'],
    [/\/virtio/, 'virtio'],
    [/\/ata\d+\//, 'sata'],
    [/\/devices\/virtual\//, 'virtual'],
  ];
  return buses.find(([pattern]) => pattern.test(path))?.[1];
}

async function modelOf(sysPath: string): Promise<string | undefined> {
  const backing = await read(join(sysPath, 'loop/backing_file'));
  if (backing) return `loop device on ${backing}`;
  const parts = [
    await read(join(sysPath, 'device/vendor')),
    (await read(join(sysPath, 'device/model'))) ?? (await read(join(sysPath, 'device/name'))),
  ];
  return parts.filter(Boolean).join(' ') || undefined;
}

async function udevProperty(roots: SystemRoots, devno: string, key: string): Promise<string | undefined> {
  const text = await read(join(roots.udev, `b${devno}`));
  return text
    ?.split('\n')
    .find((line) => line.startsWith(`E:${key}=`))
    ?.slice(key.length + 3);
}

/** The whole disks under a device number: a partition's disk, or the disks beneath a dm/md device. */
export async function disksOf(roots: SystemRoots, devno: string, seen = new Set<string>()): Promise<string[]> {
  const sysPath = await realpath(join(roots.sys, 'dev/block', devno)).catch(() => undefined);
  if (!sysPath || seen.has(sysPath)) return [];
  seen.add(sysPath);
  if (await exists(join(sysPath, 'partition'))) return [basename(dirname(sysPath))];
  const slaves = await readdir(join(sysPath, 'slaves')).catch(() => [] as string[]);
  if (slaves.length === 0) return [basename(sysPath)];
  const below = await Promise.all(
    slaves.map(async (slave) => disksOf(roots, (await read(join(sysPath, 'slaves', slave, 'dev'))) ?? '', seen)),
  );
  return [...new Set(below.flat())].sort();
}
