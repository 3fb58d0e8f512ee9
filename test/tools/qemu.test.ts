import test from 'ava';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { BOOT_IMAGE_FILES, KERNEL_CMDLINE } from '../../src/bootimage/index.js';
import { CapmediaError } from '../../src/errors/index.js';
import { exec } from '../../src/tools/exec.js';
import { bootKernelUnderQemu, bootUnderQemu, classify, mediaArgs, qemuOptionValue } from '../../src/tools/qemu.js';
import { ensureBootImage, makeTestIso, tempDir } from '../_helpers/bootimage.js';
import { markerLines, qemuProcessesMentioning } from '../_helpers/qemu.js';

const markers = { successMarker: /CAPMEDIA-TASKSEQUENCE name=/, failureMarker: 'CAPMEDIA-MEDIA-NOT-FOUND' };

test('classify picks whichever verdict appears first in the serial log', (t) => {
  t.is(classify('booting...', '', markers), undefined);
  t.is(classify('x\nCAPMEDIA-TASKSEQUENCE name=A\n', '', markers), 'success');
  t.is(classify('CAPMEDIA-MEDIA-NOT-FOUND\nCAPMEDIA-TASKSEQUENCE name=A\n', '', markers), 'failure');
  t.is(classify('', 'Boot failed\nNo bootable device.', markers), 'no-bootable-device');
  t.is(classify('BdsDxe: starting Boot0002 "EFI Internal Shell" from Fv(...)', '', markers), 'no-bootable-device');
});

test('classify: Secure Boot refusing the loader (OVMF) or GRUB (shim) is its own verdict, before the firmware gives up', (t) => {
  const ovmf = 'BdsDxe: failed to load Boot0001 "UEFI QEMU DVD-ROM QM00001 " from PciRoot(0x0)/Pci(0x1F,0x2): Access Denied\n';
  t.is(classify(`${ovmf}BdsDxe: No bootable option or device was found.\n`, '', markers), 'refused');
  t.is(classify('Verification failed: (0x1A) Security Violation\n', '', markers), 'refused');
  t.is(classify('CAPMEDIA-TASKSEQUENCE name=A\n', '', markers), 'success');
});

test('Secure Boot with BIOS firmware is a usage error before QEMU starts', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const image = join(dir, 'x.img');
  await writeFile(image, Buffer.alloc(4096));
  const error = await t.throwsAsync(
    bootUnderQemu({ image, firmware: 'bios', secureBoot: true, as: 'usb', successMarker: 'x', timeoutMs: 1000 }),
    { instanceOf: CapmediaError },
  );
  t.is(error?.code, 'USAGE');
  t.regex(error?.hint ?? '', /--firmware uefi/);
});

test('media arguments: IDE CD-ROM, or USB stick first in boot order; commas escaped', (t) => {
  t.deepEqual(mediaArgs('/tmp/a,b.iso', 'cd'), ['-drive', 'file=/tmp/a,,b.iso,media=cdrom,if=ide,readonly=on,format=raw', '-boot', 'd']);
  const usb = mediaArgs('/tmp/x.img', 'usb').join(' ');
  t.regex(usb, /qemu-xhci/);
  t.regex(usb, /usb-storage,bus=xhci\.0,drive=stick,bootindex=1/);
  t.is(qemuOptionValue('a,b,,c'), 'a,,b,,,,c');
});

test('a missing image is a clear error before QEMU starts', async (t) => {
  const error = await t.throwsAsync(
    bootUnderQemu({ image: '/nonexistent/x.iso', firmware: 'bios', as: 'cd', successMarker: 'x', timeoutMs: 1000 }),
    { instanceOf: CapmediaError },
  );
  t.is(error?.code, 'IO');
  t.regex(error?.message ?? '', /\/nonexistent\/x\.iso/);
});

async function plainIso(dir: string): Promise<string> {
  await writeFile(join(dir, 'README.txt'), 'no boot records here\n');
  const image = join(dir, 'plain.iso');
  await exec('xorriso', ['-no_rc', '-as', 'mkisofs', '-volid', 'PLAIN', '-o', image, join(dir, 'README.txt')]);
  return image;
}

for (const firmware of ['bios', 'uefi'] as const) {
  test.serial(`negative control (${firmware}): an ISO without boot records is not a success, and fails fast`, async (t) => {
    const { dir, cleanup } = await tempDir();
    t.teardown(cleanup);
    const result = await bootUnderQemu({ image: await plainIso(dir), firmware, as: 'cd', ...markers, timeoutMs: 60_000 });
    t.log(`${firmware}: ${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s`);
    t.is(result.outcome, 'no-bootable-device');
    t.true(result.durationMs < 45_000);
  });
}

test.serial('a timeout ends the run and kills QEMU', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const serialLog = join(dir, 'timeout-serial.log');
  // The ISOLINUX ISO boots, but this marker never appears.
  const image = await makeTestIso(dir, { bootImageDir: await ensureBootImage(), taskSequenceName: 'T', bios: true });
  const result = await bootUnderQemu({ image, firmware: 'bios', as: 'cd', successMarker: 'NEVER-PRINTED', timeoutMs: 3000, serialLog });
  t.is(result.outcome, 'timeout');
  t.true(result.durationMs < 10_000);
  t.deepEqual(await qemuProcessesMentioning(serialLog), []);
});

test.serial('aborting the signal stops the boot with CANCELLED and leaves no QEMU running', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const serialLog = join(dir, 'abort-serial.log');
  const image = await makeTestIso(dir, { bootImageDir: await ensureBootImage(), taskSequenceName: 'T', bios: true });
  const controller = new AbortController();
  const run = bootUnderQemu({ image, firmware: 'bios', as: 'cd', ...markers, timeoutMs: 60_000, serialLog, signal: controller.signal });
  setTimeout(() => controller.abort(), 1500);
  const error = await t.throwsAsync(run, { instanceOf: CapmediaError });
  t.is(error?.code, 'CANCELLED');
  t.deepEqual(await qemuProcessesMentioning(serialLog), []);
});

test.serial('bootKernelUnderQemu boots the kernel and initrd directly and finds a medium given in extraArgs', async (t) => {
  const bootImage = await ensureBootImage();
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const image = await makeTestIso(dir, { bootImageDir: bootImage, taskSequenceName: 'Direct kernel' });
  const result = await bootKernelUnderQemu({
    kernel: join(bootImage, BOOT_IMAGE_FILES.kernel),
    initrd: join(bootImage, BOOT_IMAGE_FILES.initrd),
    append: KERNEL_CMDLINE,
    extraArgs: mediaArgs(image, 'cd'),
    ...markers,
    timeoutMs: 60_000,
  });
  t.log(`direct kernel: ${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s`);
  t.is(result.outcome, 'success', result.serial.slice(-3000));
  t.deepEqual(
    markerLines(result.serial).filter((line) => !line.startsWith('CAPMEDIA-MODULES')),
    ['CAPMEDIA-BOOT-OK firmware=BIOS', 'CAPMEDIA-MEDIA-FOUND device=/dev/sr0', 'CAPMEDIA-TASKSEQUENCE name=Direct kernel'],
  );
});
