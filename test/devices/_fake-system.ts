import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { SystemRoots } from '../../src/devices/roots.js';

/**
 * Builds a fake /sys, /proc and udev database in a temp folder, laid out as
 * the kernel does (devices under /sys/devices, symlinks in class/block and
 * dev/block), so the device code reads it exactly as it reads the real one.
 */

export interface FakeDisk {
  name: string;
  devno: string;
  sizeBytes: number;
  bus: 'usb' | 'sata' | 'nvme' | 'mmc' | 'virtual';
  removable?: boolean;
  readOnly?: boolean;
  /** The port above says removable="removable" (lsblk HOTPLUG); default: true on usb and mmc. */
  hotplugPort?: boolean;
  vendor?: string;
  model?: string;
  serial?: string;
  partitions?: Array<{ name: string; devno: string; sizeBytes: number }>;
  holders?: string[];
}

export interface FakeMount {
  devno: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

export interface FakeSystem {
  roots: SystemRoots;
  cleanup: () => Promise<void>;
}

const BUS_PATHS: Record<FakeDisk['bus'], (i: number) => { port?: string; device: string }> = {
  usb: (i) => ({
    port: `pci0000:00/0000:00:14.0/usb2/2-${i}`,
    device: `pci0000:00/0000:00:14.0/usb2/2-${i}/2-${i}:1.0/host${i}/target${i}:0:0/${i}:0:0:0`,
  }),
  sata: (i) => ({ port: `pci0000:00/0000:00:17.0/ata${i}`, device: `pci0000:00/0000:00:17.0/ata${i}/host${i}/target${i}:0:0/${i}:0:0:0` }),
  nvme: (i) => ({ device: `pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme${i}` }),
  mmc: (i) => ({ port: `pci0000:00/0000:00:14.5/mmc_host/mmc${i}`, device: `pci0000:00/0000:00:14.5/mmc_host/mmc${i}/mmc${i}:aaaa` }),
  virtual: () => ({ device: 'virtual' }),
};

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${text}\n`);
}

async function link(path: string, target: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await symlink(relative(dirname(path), target), path);
}

export async function fakeSystem(disks: FakeDisk[], options: { mounts?: FakeMount[]; swaps?: string[] } = {}): Promise<FakeSystem> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-fakesys-'));
  const roots: SystemRoots = { sys: join(dir, 'sys'), proc: join(dir, 'proc'), udev: join(dir, 'udev') };
  for (const [index, disk] of disks.entries()) await addDisk(roots, disk, index + 1);
  const mounts = (options.mounts ?? []).map(
    (m, i) => `${30 + i} 1 ${m.devno} / ${m.mountPoint.replace(/ /g, '\\040')} rw,relatime shared:1 - ${m.fsType} ${m.source} rw`,
  );
  await put(join(roots.proc, 'self/mountinfo'), mounts.join('\n'));
  const swaps = (options.swaps ?? []).map((path) => `${path}                               partition\t1048572\t0\t-2`);
  await put(join(roots.proc, 'swaps'), ['Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority', ...swaps].join('\n'));
  return { roots, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function addDisk(roots: SystemRoots, disk: FakeDisk, index: number): Promise<void> {
  const bus = BUS_PATHS[disk.bus](index);
  const deviceDir = join(roots.sys, 'devices', bus.device);
  const blockDir =
    disk.bus === 'virtual' ? join(deviceDir, 'block', disk.name) : join(deviceDir, disk.bus === 'nvme' ? '' : 'block', disk.name);
  if (bus.port)
    await put(
      join(roots.sys, 'devices', bus.port, 'removable'),
      (disk.hotplugPort ?? (disk.bus === 'usb' || disk.bus === 'mmc')) ? 'removable' : 'fixed',
    );
  if (disk.vendor) await put(join(deviceDir, 'vendor'), disk.vendor);
  if (disk.model) await put(join(deviceDir, 'model'), disk.model);
  if (disk.bus !== 'virtual') await link(join(blockDir, 'device'), deviceDir);
  await put(join(blockDir, 'dev'), disk.devno);
  await put(join(blockDir, 'size'), String(disk.sizeBytes / 512));
  await put(join(blockDir, 'ro'), disk.readOnly ? '1' : '0');
  await put(join(blockDir, 'removable'), disk.removable ? '1' : '0');
  await mkdir(join(blockDir, 'holders'), { recursive: true });
  for (const holder of disk.holders ?? []) await put(join(blockDir, 'holders', holder, 'dev'), '253:0');
  await link(join(roots.sys, 'class/block', disk.name), blockDir);
  await link(join(roots.sys, 'dev/block', disk.devno), blockDir);
  if (disk.serial) await put(join(roots.udev, `b${disk.devno}`), `S:disk/by-id/usb-${disk.serial}\nE:ID_SERIAL_SHORT=${disk.serial}`);
  for (const part of disk.partitions ?? []) {
    const partDir = join(blockDir, part.name);
    await put(join(partDir, 'partition'), part.name.replace(/^\D+/, ''));
    await put(join(partDir, 'dev'), part.devno);
    await put(join(partDir, 'size'), String(part.sizeBytes / 512));
    await link(join(roots.sys, 'class/block', part.name), partDir);
    await link(join(roots.sys, 'dev/block', part.devno), partDir);
  }
}

const GiB = 2 ** 30;

/** A 16 GiB USB stick with one partition, as most sticks come. */
export const USB_STICK: FakeDisk = {
  name: 'sdb',
  devno: '8:16',
  sizeBytes: 16 * GiB,
  bus: 'usb',
  removable: true,
  vendor: 'SanDisk',
  model: 'Cruzer Blade',
  serial: '4C530001230607117583',
  partitions: [{ name: 'sdb1', devno: '8:17', sizeBytes: 16 * GiB - 2 ** 20 }],
};

/** The internal SATA disk the system runs from. */
export const SATA_DISK: FakeDisk = {
  name: 'sda',
  devno: '8:0',
  sizeBytes: 512 * GiB,
  bus: 'sata',
  vendor: 'ATA',
  model: 'Samsung SSD 870',
  partitions: [
    { name: 'sda1', devno: '8:1', sizeBytes: 511 * GiB },
    { name: 'sda2', devno: '8:2', sizeBytes: GiB - 2 ** 20 },
  ],
};
