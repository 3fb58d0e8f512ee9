import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapmediaError } from '../../src/errors/index.js';
import { describeDisk, inspectDevice } from '../../src/devices/inspect.js';
import { refuseUnsafeDevice, type SafetyOptions } from '../../src/devices/safety.js';
import { createUsbMedia } from '../../src/plugins/media/usb/index.js';
import { exec } from '../../src/tools/exec.js';
import { fakeSystem, SATA_DISK, USB_STICK, type FakeDisk, type FakeMount } from './_fake-system.js';
import { usbMediaEntry } from './_media.js';

const GiB = 2 ** 30;

interface Case {
  device: string;
  disks: FakeDisk[];
  mounts?: FakeMount[];
  swaps?: string[];
  protectedPaths?: string[];
  options?: SafetyOptions;
}

/** Runs the real inspection over a fake system and returns the refusal, or undefined when the drive is accepted. */
async function refusal(c: Case): Promise<CapmediaError | undefined> {
  const system = await fakeSystem(c.disks, { mounts: c.mounts, swaps: c.swaps });
  try {
    const facts = await inspectDevice(system.roots, c.device, c.protectedPaths ?? []);
    refuseUnsafeDevice(facts, c.options);
    return undefined;
  } catch (error) {
    if (error instanceof CapmediaError) return error;
    throw error;
  } finally {
    await system.cleanup();
  }
}

const REFUSED: Array<[string, Case, RegExp]> = [
  ['a partition', { device: '/dev/sdb1', disks: [USB_STICK] }, /\/dev\/sdb1 is a partition of \/dev\/sdb, not a whole drive/],
  [
    'a non-removable SATA disk',
    { device: '/dev/sda', disks: [SATA_DISK] },
    /\/dev\/sda \(ATA Samsung SSD 870, 512\.0 GiB, no serial number, sata\) is neither removable nor attached by USB/,
  ],
  [
    'a mounted stick',
    {
      device: '/dev/sdb',
      disks: [USB_STICK],
      mounts: [{ devno: '8:17', mountPoint: '/media/user/CRUZER', fsType: 'vfat', source: '/dev/sdb1' }],
    },
    /\/dev\/sdb is in use: \/dev\/sdb1 is mounted at \/media\/user\/CRUZER/,
  ],
  [
    'a stick holding swap',
    {
      device: '/dev/sdb',
      disks: [{ ...USB_STICK, partitions: [...USB_STICK.partitions!, { name: 'sdb2', devno: '8:18', sizeBytes: GiB }] }],
      swaps: ['/dev/sdb2'],
    },
    /\/dev\/sdb is in use as swap \(\/dev\/sdb2\)/,
  ],
  [
    'the disk holding / (even on USB)',
    { device: '/dev/sdb', disks: [USB_STICK], mounts: [{ devno: '8:17', mountPoint: '/', fsType: 'ext4', source: '/dev/sdb1' }] },
    /the drive that holds the running system \(\/ is on it\)/,
  ],
  [
    'a too-small stick',
    { device: '/dev/sdb', disks: [{ ...USB_STICK, sizeBytes: 2 * GiB }], options: { minBytes: 3 * GiB } },
    /\/dev\/sdb holds 2\.00 GiB .*, but the media need 3\.00 GiB/,
  ],
  ['a write-protected stick', { device: '/dev/sdb', disks: [{ ...USB_STICK, readOnly: true }] }, /\/dev\/sdb is read-only/],
  [
    'the drive holding the staging folder',
    {
      device: '/dev/sdb',
      disks: [USB_STICK],
      mounts: [{ devno: '8:17', mountPoint: '/srv/stick', fsType: 'ext4', source: '/dev/sdb1' }],
      protectedPaths: ['/srv/stick/staging'],
    },
    /which holds \/srv\/stick\/staging \(the build's config, cache or staging folder\)/,
  ],
  [
    'a stick opened by LUKS/LVM',
    { device: '/dev/sdb', disks: [{ ...USB_STICK, holders: ['dm-0'] }] },
    /\/dev\/sdb is in use by dm-0 \(device-mapper or RAID/,
  ],
  [
    'a card reader without a card',
    { device: '/dev/sdb', disks: [{ ...USB_STICK, sizeBytes: 0, partitions: [] }] },
    /\/dev\/sdb has no medium/,
  ],
  ['a device the kernel does not know', { device: '/dev/sdz', disks: [USB_STICK] }, /\/dev\/sdz is not a drive this machine knows/],
];

for (const [what, c, message] of REFUSED) {
  test(`refused: ${what}`, async (t) => {
    const error = await refusal(c);
    t.truthy(error, 'the drive must be refused');
    t.is(error!.code, 'DEVICE_REFUSED');
    t.regex(error!.message, message);
    t.truthy(error!.hint);
  });
}

test('every refusal has its own message', async (t) => {
  const messages = await Promise.all(REFUSED.map(async ([, c]) => (await refusal(c))!.message.replace(/\/dev\/\w+/g, 'DEV')));
  t.is(new Set(messages).size, REFUSED.length);
});

test('accepted: a USB stick, a USB SSD (removable=0 but USB and hot-pluggable), an SD card, a stick on a partition when format is false', async (t) => {
  t.is(
    await refusal({
      device: '/dev/sdb',
      disks: [SATA_DISK, USB_STICK],
      mounts: [{ devno: '8:1', mountPoint: '/', fsType: 'ext4', source: '/dev/sda1' }],
    }),
    undefined,
  );
  t.is(
    await refusal({
      device: '/dev/sdb',
      disks: [{ ...USB_STICK, removable: false, model: 'Portable SSD T7' }],
      options: { minBytes: GiB },
    }),
    undefined,
  );
  t.is(
    await refusal({
      device: '/dev/mmcblk0',
      disks: [{ name: 'mmcblk0', devno: '179:0', sizeBytes: 32 * GiB, bus: 'mmc', removable: false }],
    }),
    undefined,
  );
  t.is(await refusal({ device: '/dev/sdb1', disks: [USB_STICK], options: { allowPartition: true } }), undefined);
});

test('an internal disk with hot-plug ports above it is accepted only if the port says so (lsblk HOTPLUG)', async (t) => {
  const sataHotplug: FakeDisk = { ...SATA_DISK, hotplugPort: true };
  t.is(await refusal({ device: '/dev/sda', disks: [sataHotplug] }), undefined);
  t.regex((await refusal({ device: '/dev/sda', disks: [SATA_DISK] }))!.message, /neither removable nor attached by USB/);
});

test('the drive is described by model, size, serial and bus', async (t) => {
  const system = await fakeSystem([USB_STICK]);
  t.teardown(system.cleanup);
  const facts = await inspectDevice(system.roots, '/dev/sdb', []);
  t.is(describeDisk(facts.target.disk), 'SanDisk Cruzer Blade, 16.0 GiB, serial 4C530001230607117583, usb');
  t.true(facts.target.disk.hotplug);
  t.deepEqual(
    facts.target.disk.partitions.map((p) => p.name),
    ['sdb1'],
  );
});

test('a USB stick is accepted only when confirmed (--yes or a yes on the terminal)', async (t) => {
  const system = await fakeSystem([USB_STICK]);
  t.teardown(system.cleanup);
  const usb = createUsbMedia({ roots: system.roots });
  const questions: string[] = [];
  const input = (answer: boolean) => ({
    media: usbMediaEntry(),
    exec,
    protectedPaths: [],
    confirm: async (q: string) => (questions.push(q), answer),
  });
  const refused = await t.throwsAsync(usb.checkTarget!(input(false)));
  t.is((refused as CapmediaError).code, 'NOT_CONFIRMED');
  t.regex(refused!.message, /Nothing was written to \/dev\/sdb \(SanDisk Cruzer Blade, 16\.0 GiB, serial 4C530001230607117583, usb\)/);
  t.regex((refused as CapmediaError).hint!, /--yes/);
  await t.notThrowsAsync(usb.checkTarget!(input(true)));
  t.is(questions.length, 2);
  t.regex(questions[0], /^Write capture media to \/dev\/sdb \(SanDisk Cruzer Blade, .*\)\? Everything on it will be erased\.$/);
});

test('a stick swapped after the confirmation is not written', async (t) => {
  const system = await fakeSystem([USB_STICK]);
  t.teardown(system.cleanup);
  const usb = createUsbMedia({ roots: system.roots });
  const media = usbMediaEntry();
  await usb.checkTarget!({ media, exec, protectedPaths: [], confirm: async () => true });
  await writeFile(join(system.roots.udev, 'b8:16'), 'E:ID_SERIAL_SHORT=ANOTHER-STICK\n');
  const image = join(system.roots.proc, 'usb.img');
  await writeFile(image, Buffer.alloc(4096));
  const error = await t.throwsAsync(
    usb.publish!({ temp: image, final: '/dev/sdb', media, exec, notice: () => {}, confirm: async () => true }),
  );
  t.regex(error!.message, /changed since it was confirmed .*serial ANOTHER-STICK/);
});
