import test from 'ava';
import { bootUnderQemu, type BootRunOptions } from '../../src/tools/qemu.js';
import { ensureBootImage, makeTestIso, tempDir } from '../_helpers/bootimage.js';
import { markerLines } from '../_helpers/qemu.js';

/**
 * Real boots of media made from the boot image (slow: TCG, ~5-20 s each).
 * Serial, because two VMs at once on two cores only make both slower.
 */

const NAME = "Reference capture (Anna's PC)";
const DONE = /CAPMEDIA-TASKSEQUENCE name=.*/;
const FAILED = /CAPMEDIA-MEDIA-NOT-FOUND|CAPMEDIA-GRUB-MEDIA-NOT-FOUND|Kernel panic/;

let iso: Promise<string> | undefined;
let cleanups: Array<() => Promise<void>> = [];

/** One hybrid ISO (BIOS + UEFI boot records, with a task sequence) shared by the boots. */
function captureIso(): Promise<string> {
  iso ??= (async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    return makeTestIso(dir, { bootImageDir: await ensureBootImage(), taskSequenceName: NAME, bios: true, uefi: true });
  })();
  return iso;
}

test.after.always(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function boot(
  t: { log: (...values: unknown[]) => void },
  options: Omit<BootRunOptions, 'successMarker' | 'failureMarker' | 'timeoutMs'>,
) {
  const result = await bootUnderQemu({ successMarker: DONE, failureMarker: FAILED, timeoutMs: 60_000, ...options });
  t.log(`${options.firmware} ${options.as}: ${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s`);
  return { ...result, markers: markerLines(result.serial) };
}

for (const [firmware, as] of [
  ['bios', 'cd'],
  ['uefi', 'cd'],
  ['bios', 'usb'],
  ['uefi', 'usb'],
] as const) {
  test.serial(`${firmware.toUpperCase()} boot as ${as} finds the medium and reads the task sequence`, async (t) => {
    const result = await boot(t, { image: await captureIso(), firmware, as });
    t.is(result.outcome, 'success', result.serial.slice(-3000));
    const bootOk = firmware === 'uefi' ? 'CAPMEDIA-BOOT-OK firmware=UEFI secureboot=off' : 'CAPMEDIA-BOOT-OK firmware=BIOS';
    t.true(result.markers.includes(bootOk), result.markers.join('\n'));
    t.true(result.markers.includes(`CAPMEDIA-TASKSEQUENCE name=${NAME}`), result.markers.join('\n'));
    const device = as === 'cd' ? /^CAPMEDIA-MEDIA-FOUND device=\/dev\/sr0$/ : /^CAPMEDIA-MEDIA-FOUND device=\/dev\/sda\d*$/;
    t.true(
      result.markers.some((line) => device.test(line)),
      result.markers.join('\n'),
    );
  });
}

test.serial('BIOS: a bootable ISO without a task sequence reports MEDIA-NOT-FOUND, it does not hang', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const image = await makeTestIso(dir, { bootImageDir: await ensureBootImage(), bios: true });
  const result = await boot(t, { image, firmware: 'bios', as: 'cd' });
  t.is(result.outcome, 'failure', result.serial.slice(-3000));
  t.true(result.markers.includes('CAPMEDIA-BOOT-OK firmware=BIOS'));
  t.true(result.markers.includes('CAPMEDIA-MEDIA-NOT-FOUND'));
});

test.serial('UEFI: GRUB without TaskSequence.json on any device says so and halts', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const image = await makeTestIso(dir, { bootImageDir: await ensureBootImage(), uefi: true });
  const result = await boot(t, { image, firmware: 'uefi', as: 'cd' });
  t.is(result.outcome, 'failure', result.serial.slice(-3000));
  t.regex(result.serial, /CAPMEDIA-GRUB-MEDIA-NOT-FOUND/);
  t.notRegex(result.serial, /CAPMEDIA-BOOT-OK/);
});

test.serial('a damaged TaskSequence.vars is reported and the machine powers off instead of panicking', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const image = await makeTestIso(dir, {
    bootImageDir: await ensureBootImage(),
    taskSequenceName: 'x',
    varsText: "CAPMEDIA_TS_NAME='unterminated\n",
    bios: true,
  });
  const result = await bootUnderQemu({
    image,
    firmware: 'bios',
    as: 'cd',
    successMarker: 'CAPMEDIA-TASKSEQUENCE-INVALID',
    failureMarker: /Kernel panic|CAPMEDIA-TASKSEQUENCE name=/,
    timeoutMs: 60_000,
  });
  t.is(result.outcome, 'success', result.serial.slice(-3000));
  t.true(markerLines(result.serial).includes('CAPMEDIA-TASKSEQUENCE-INVALID file=SMS/data/TaskSequence.vars'));
});
