import test from 'ava';
import { readFile } from 'node:fs/promises';
import { mountOf, parseMountInfo } from '../../src/devices/mounts.js';
import { inspectDevice } from '../../src/devices/inspect.js';
import { HOST_ROOTS } from '../../src/devices/roots.js';
import { refuseUnsafeDevice } from '../../src/devices/safety.js';
import { transportOf } from '../../src/devices/sysfs.js';

const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '40 22 8:17 / /media/user/MY\\040STICK rw,nosuid shared:20 - vfat /dev/sdb1 rw,uid=1000',
  '41 22 0:45 / /media/user rw shared:21 - tmpfs tmpfs rw',
].join('\n');

test('mountinfo: fields, octal escapes, devices', (t) => {
  const mounts = parseMountInfo(MOUNTINFO);
  t.deepEqual(mounts[1], { devno: '8:17', mountPoint: '/media/user/MY STICK', fsType: 'vfat', source: '/dev/sdb1' });
  t.is(mounts.length, 3);
});

test('a path lives on the longest mount point containing it', async (t) => {
  const mounts = parseMountInfo(MOUNTINFO);
  t.is((await mountOf(mounts, '/media/user/MY STICK/SMS'))?.devno, '8:17');
  t.is((await mountOf(mounts, '/media/user/other'))?.fsType, 'tmpfs');
  t.is((await mountOf(mounts, '/media/user/MY STICKER'))?.fsType, 'tmpfs');
  t.is((await mountOf(mounts, '/etc/hostname'))?.devno, '254:0');
});

test('the bus comes from the place in the device tree; USB wins over the SATA bridge behind it', (t) => {
  const roots = { sys: '/sys', proc: '/proc', udev: '/run/udev/data' };
  t.is(transportOf(roots, '/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb'), 'usb');
  t.is(transportOf(roots, '/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda'), 'sata');
  t.is(transportOf(roots, '/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1'), 'nvme');
  t.is(transportOf(roots, '/sys/devices/virtual/block/loop0'), 'virtual');
});

test('on this machine, the disk holding / is refused (real /sys and /proc)', async (t) => {
  const root = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')).find((m) => m.mountPoint === '/');
  if (!root?.source.startsWith('/dev/')) return t.pass(`/ is not on a block device here (${root?.source ?? 'unknown'})`);
  const error = await t.throwsAsync(async () => refuseUnsafeDevice(await inspectDevice(HOST_ROOTS, root.source, [])));
  t.regex(error!.message, /holds the running system/);
});
